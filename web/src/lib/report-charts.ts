/** chart.js for the reports: bar and line charts with tooltips and legends (see charts.ts). */
import { BarController, BarElement, Legend, Tooltip } from 'chart.js';
import { Chart } from './charts';

Chart.register(BarController, BarElement, Tooltip, Legend);

export { Chart };

/** One data series of a report chart. */
export interface BarSeries {
  label: string;
  data: Array<number | null>;
  color: string;
}
