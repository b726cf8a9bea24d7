// ECharts helpers: one chart per element, resized with the window, disposed when its
// page is left.
import * as echarts from 'echarts';

const charts = new Set<echarts.ECharts>();
window.addEventListener('resize', () => charts.forEach((c) => c.resize()));

export function chart(element: HTMLElement, option: echarts.EChartsOption, signal: AbortSignal): echarts.ECharts {
  // Screen readers and keyboard users get the card's title; the numbers are in tables.
  element.setAttribute('role', 'img');
  element.setAttribute('aria-label', element.closest('section')?.querySelector('h3')?.textContent ?? '');
  const instance = echarts.init(element);
  instance.setOption(option);
  charts.add(instance);
  const dispose = () => {
    charts.delete(instance);
    instance.dispose();
  };
  if (signal.aborted) dispose();
  else signal.addEventListener('abort', dispose, { once: true });
  return instance;
}

// Charts alive now (the browser tests check that leaving a page disposes its own).
export function liveCharts(): number {
  return charts.size;
}
