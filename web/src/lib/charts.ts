/**
 * chart.js, tree-shaken: only the pieces floorboard draws with are registered (line for sparklines
 * and trends, bar for the report charts), which keeps the wallboard bundle small.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  CategoryScale,
  Filler,
  BarController,
  BarElement,
  Tooltip,
  Legend,
);
Chart.defaults.color = '#d7e0ee';
Chart.defaults.borderColor = '#2c3a55';
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";

export { Chart };

/** One data series of a report chart. */
export interface BarSeries {
  label: string;
  data: Array<number | null>;
  color: string;
}
