// Churn and credit reasons in Chinese. The analytics engine writes them in English
// from a fixed set of sentences (src/analytics/churn_model.cc Explain,
// customer_metrics.cc credit reasons); each pattern here mirrors one of them, and a
// sentence without a pattern is shown as written.
import { language } from './i18n';

const patterns: [RegExp, (...groups: string[]) => string][] = [
  [/^trading fell: (\d+) trades in the last 90 days against (\d+) in the 90 before$/, (a, b) => `交易减少：近90天${a}笔，之前90天${b}笔`],
  [/^no trade in over a year$/, () => '超过一年没有交易'],
  [/^no trade for (\d+) days$/, (d) => `${d}天没有交易`],
  [/^little trading: active in (\d+) of the last 12 months$/, (m) => `交易稀少：近12个月中仅${m}个月有交易`],
  [/^assets fell (\d+)% in 3 months$/, (p) => `3个月内资产下降${p}%`],
  [/^assets are at (\d+)% of their 12-month peak$/, (p) => `资产仅为12个月峰值的${p}%`],
  [/^small account: ([\d,.]+) yuan$/, (y) => `资产规模小：${y}元`],
  [/^(\d+) complaint\(s\) in the last 90 days$/, (n) => `近90天投诉${n}次`],
  [/^(\d+) complaint\(s\) in 12 months$/, (n) => `12个月内投诉${n}次`],
  [/^fewer logins: (\d+) app\/web visits in 90 days against (\d+) before$/, (a, b) => `登录减少：近90天访问App/网站${a}次，之前${b}次`],
  [/^rarely logs in: (\d+) app\/web visits in 90 days$/, (n) => `很少登录：近90天访问App/网站${n}次`],
  [/^new relationship: customer for ([\d.]+) years$/, (y) => `新客户：开户${y}年`],
  [/^low loyalty index (\d+)$/, (n) => `忠诚度指数低：${n}`],
  [/^profile \(age, risk tolerance\) resembles customers who left$/, () => '画像（年龄、风险承受能力）与已流失客户相似'],
  [/^assets ([\d,.]+) yuan meet the 500,000 yuan threshold$/, (y) => `资产${y}元，达到50万元门槛`],
  [/^assets ([\d,.]+) yuan are below the 500,000 yuan threshold$/, (y) => `资产${y}元，低于50万元门槛`],
  [/^traded in (\d+) of the last 12 months$/, (m) => `近12个月中${m}个月有交易`],
  [/^traded in only (\d+) of the last 12 months$/, (m) => `近12个月中仅${m}个月有交易`],
  [/^less than six months of trading experience$/, () => '交易经验不足六个月'],
  [/^margin debt is (\d+)% of assets$/, (p) => `融资负债占资产${p}%`],
  [/^risk tolerance (C\d) suits leverage$/, (c) => `风险承受能力${c}，适合杠杆交易`],
  [/^risk tolerance (C\d) is too low for leverage$/, (c) => `风险承受能力${c}，不宜杠杆交易`],
  [/^no suitability assessment on file$/, () => '无适当性评估记录'],
  [/^account is (\w+)$/, (s) => `账户状态：${({ active: '正常', dormant: '休眠', closed: '销户' } as Record<string, string>)[s] ?? s}`],
];

// "reason; reason; ..." in the current language.
export function reasons(text: unknown): string {
  const value = String(text ?? '');
  if (language() !== 'zh' || !value) return value;
  return value.split('; ').map((sentence) => {
    for (const [pattern, render] of patterns) {
      const match = sentence.match(pattern);
      if (match) return render(...match.slice(1));
    }
    return sentence;
  }).join('；');
}
