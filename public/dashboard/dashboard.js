// Draws the dashboard's charts from the JSON block the server rendered (no inline script: CSP is script-src 'self').
/* global uPlot */
(function () {
  'use strict'
  const source = document.getElementById('trend-data')
  if (source === null || typeof uPlot === 'undefined') return
  const data = JSON.parse(source.textContent)
  const styles = window.getComputedStyle(document.documentElement)
  const ink = styles.getPropertyValue('--ink').trim() || '#1b1b1b'
  const grid = styles.getPropertyValue('--grid').trim() || '#d0d0d0'
  const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } }
  const charts = []

  function draw (id, label, values, color, range) {
    const el = document.getElementById(id)
    if (el === null) return
    const options = {
      width: el.clientWidth || 320,
      height: 220,
      scales: { x: { time: false }, y: { range } },
      // Whole rounds on the x axis, however few there are.
      axes: [Object.assign({ label: 'Round', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500] }, axis), Object.assign({ label }, axis)],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      series: [
        { label: 'Round' },
        { label, stroke: color, width: 2, points: { show: data.rounds.length <= 60 }, spanGaps: false }
      ]
    }
    const Chart = uPlot
    charts.push({ el, chart: new Chart(options, [data.rounds, values], el) })
  }

  draw('chart-met', 'Met rate (%)', data.metRate, styles.getPropertyValue('--accent').trim() || '#0b5cad', [0, 100])
  const most = Math.max(2, ...data.eligible)
  draw('chart-people', 'People taking part', data.eligible, styles.getPropertyValue('--accent-2').trim() || '#8a3b00', [0, Math.ceil(most * 1.1)])

  let pending = 0
  window.addEventListener('resize', function () {
    window.cancelAnimationFrame(pending)
    pending = window.requestAnimationFrame(function () {
      for (const { el, chart } of charts) chart.setSize({ width: el.clientWidth || 320, height: 220 })
    })
  })
  // Tells the browser test (and anyone curious) that the page is complete, charts included.
  document.documentElement.dataset.chartsReady = String(charts.length)
  document.documentElement.dataset.chartsReadyMs = String(Math.round(window.performance.now()))
})()
