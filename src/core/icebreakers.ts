// Conversation starters, one per intro. Rotated so consecutive rounds and groups in a round differ.
export const ICEBREAKERS: readonly string[] = [
  'What is something you learned recently that surprised you?',
  'What did you want to be when you were a kid?',
  'What is the best thing you have read, watched or listened to this month?',
  'If you could swap jobs with anyone here for a week, who would it be and why?',
  'What is a small thing that made your week better?',
  'What is a skill you would love to learn this year?',
  'What does a perfect day off look like for you?',
  'What project are you most proud of, at work or outside it?',
  'What is the most useful tool or shortcut you use every day?',
  'Where is the best place you have ever travelled to?',
  'What is a hobby you picked up and then dropped?',
  'What would you do with an extra hour every day?',
  'What was your first job?',
  'Which piece of advice has stuck with you the longest?',
  'Tea, coffee, or something else entirely? What is your order?',
  'What is a local spot near you that everyone should know about?',
  'What is something most people here don\'t know about your team?',
  'What is the last thing you made with your hands?',
  'What is a book or film you keep recommending?',
  'What is a tradition you love, from your family or your culture?',
  'If you could master any instrument overnight, which one would it be?',
  'What is the most interesting problem you worked on this quarter?',
  'What is something you are looking forward to?',
  'What is the best meal you have ever had?',
  'Which app or website could you not live without?',
  'What is a question you wish people asked you more often?',
  'Morning person or night owl? How do you make it work?',
  'What is a place you would love to visit next?',
  'What is something you changed your mind about in the last few years?',
  'What is the best team you have ever been part of, and what made it work?'
]

/** Different for each group of a round and moving on every round. */
export function pickIcebreaker (roundNumber: number, groupIndex: number): string {
  const index = (roundNumber * 7 + groupIndex) % ICEBREAKERS.length
  return ICEBREAKERS[index]!
}
