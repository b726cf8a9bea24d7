// ECharts helpers: one chart per element, resized with the window.
import * as echarts from 'echarts';

const charts = new Set<echarts.ECharts>();
window.addEventListener('resize', () => charts.forEach((c) => c.resize()));

export function chart(element: HTMLElement, option: echarts.EChartsOption): echarts.ECharts {
  // Screen readers and keyboard users get the card's title; the numbers are in tables.
  element.setAttribute('role', 'img');
  element.setAttribute('aria-label', element.closest('section')?.querySelector('h3')?.textContent ?? '');
  const instance = echarts.init(element);
  instance.setOption(option);
  charts.add(instance);
  return instance;
}

export function disposeCharts(): void {
  charts.forEach((c) => c.dispose());
  charts.clear();
}
