// The parts of Chart.js the app draws with, registered once; loaded only by the screens that
// show charts. (ECharts cannot run here: the webview freezes Object.prototype — Tauri's
// `freezePrototype` — and ECharts assigns over inherited properties as it sets itself up.)
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

export { Chart };
