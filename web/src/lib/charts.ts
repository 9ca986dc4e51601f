/**
 * chart.js, tree-shaken: each page registers only the pieces it draws with. This module holds what
 * every chart needs (line charts: the wallboard's sparklines) and the theme; the reports' bar charts,
 * tooltips and legends are registered by report-charts.ts, so the wallboard does not carry them.
 */
import { CategoryScale, Chart, LinearScale, LineController, LineElement, PointElement } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale);
Chart.defaults.color = '#d7e0ee';
Chart.defaults.borderColor = '#2c3a55';
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";

export { Chart };
