// charts.js - Chart.js, registered with only the parts the pages use (a
// smaller bundle), and one call to draw a labelled chart into a box.
import {
  Chart, BarController, LineController, BarElement, LineElement, PointElement,
  CategoryScale, LinearScale, Legend, Tooltip,
} from 'chart.js';

Chart.register(BarController, LineController, BarElement, LineElement, PointElement,
  CategoryScale, LinearScale, Legend, Tooltip);

const COLORS = ['#1f5fa8', '#b3471d', '#2d7d46', '#7a3ea1'];

// Draws a chart into box; description is its accessible name. Returns the
// Chart, to destroy when the page goes.
export function chart(box, type, labels, datasets, description, options = {}) {
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', description);
  box.append(canvas);
  return new Chart(canvas, {
    type,
    data: {
      labels,
      datasets: datasets.map((d, i) => ({
        borderColor: COLORS[i % COLORS.length],
        backgroundColor: COLORS[i % COLORS.length],
        spanGaps: true,
        ...d,
      })),
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, ...options },
  });
}
