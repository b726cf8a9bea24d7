// Simplified Chinese and English. The language defaults from the browser and can be
// switched at any time (kept in localStorage); amounts and dates follow it.

type Lang = 'zh' | 'en';

const zh = {
  app: 'FinCRM 客户关系管理', signIn: '登录', login: '登录名', password: '口令', signOut: '退出',
  dashboard: '总览', customers: '客户', analytics: '分析', admin: '管理', audit: '审计',
  customersTotal: '客户数', active: '活跃客户', assets: '客户资产', commissionMonth: '本月佣金',
  newCustomers: '新增客户', churned: '流失客户', upgraded: '升级客户',
  ladder: '价值阶梯分布', ladderMoves: '价值阶梯迁移', churnTop: '流失风险最高的客户', churnDistribution: '流失风险分布', churnRisk: '流失风险', trend: '交易与佣金趋势',
  channelMix: '委托渠道', search: '搜索：姓名、手机号、证件号、客户号', filter: '筛选', all: '全部',
  branch: '营业部', broker: '经纪人', tier: '价值等级', cluster: '客户群', riskLevel: '风险等级', status: '状态',
  minChurn: '流失风险≥', next: '下一页', exportCsv: '导出 CSV', exportExcel: '导出 Excel',
  name: '姓名', mobile: '手机号', idNumber: '证件号码', customerId: '客户号', openDate: '开户日期',
  profile: '基本资料', household: '家庭成员', accounts: '资金账号', recentTrades: '最近成交', timeline: '接触时间线',
  scores: '客户评分', churnReasons: '流失原因', credit: '信用等级', rfm: 'RFM', profit: '利润贡献',
  logContact: '记录接触', channel: '渠道', type: '类型', subject: '主题', notes: '备注', save: '保存',
  cube: '多维分析', measures: '度量', dimensions: '维度', where: '条件', run: '查询', clusters: '客户群画像',
  model: '流失模型', rules: '决策规则', kpi: '绩效考核', level: '层级', period: '期间', rank: '排名', composite: '综合得分',
  users: '用户', role: '角色', disabled: '已停用', disable: '停用', enable: '启用', resetPassword: '重置口令',
  create: '新建', chain: '审计链校验', intact: '完整', broken: '已被篡改', actor: '操作人', action: '操作',
  time: '时间', source: '来源', noData: '暂无数据', loading: '加载中…', sessionExpired: '会话已过期，请重新登录',
  language: 'English', amount: '金额', side: '方向', symbol: '代码', date: '日期', total: '合计', skipToContent: '跳到正文', verifying: '校验中…',
  address: '地址', email: '电子邮件', relation: '关系', accountId: '账号', closeDate: '销户日期', locked: '已锁定', enabled: '正常', retention: '留存率', label: '标签',
  holdings: '持仓', quantity: '数量', snapshotOn: '快照日期', suitability: '适当性', validUntil: '有效期至', expired: '已过期',
  lowestCategory: '最低风险承受能力类别', professional: '专业投资者', mayPromote: '可推介等级', notAssessed: '未评估',
  nextBestActions: '下一最佳行动', priority: '优先级', accept: '采纳', dismiss: '忽略', recorded: '已记录', reason: '原因',
  customer360: '客户视图', noPages: '此登录没有可用的页面，请联系管理员', pageNotFound: '没有这个页面', pageFailed: '页面加载失败',
  analysisPending: '客户分析尚未运行：价值等级、流失风险和绩效考核在首次分析后显示。分析每晚自动运行（新数据库在服务启动时立即运行），也可由管理员运行 fincrm analyze。',
};
const en: typeof zh = {
  app: 'FinCRM', signIn: 'Sign in', login: 'Login', password: 'Password', signOut: 'Sign out',
  dashboard: 'Dashboard', customers: 'Customers', analytics: 'Analytics', admin: 'Admin', audit: 'Audit',
  customersTotal: 'Customers', active: 'Active', assets: 'Assets', commissionMonth: 'Commission this month',
  newCustomers: 'New', churned: 'Churned', upgraded: 'Upgraded',
  ladder: 'Value ladder', ladderMoves: 'Ladder moves', churnTop: 'Most at risk of churning', churnDistribution: 'Churn risk distribution', churnRisk: 'Churn risk', trend: 'Trading and commission',
  channelMix: 'Order channels', search: 'Search: name, mobile, ID number, customer number', filter: 'Filter', all: 'All',
  branch: 'Branch', broker: 'Broker', tier: 'Tier', cluster: 'Cluster', riskLevel: 'Risk level', status: 'Status',
  minChurn: 'Churn risk ≥', next: 'Next page', exportCsv: 'Export CSV', exportExcel: 'Export Excel',
  name: 'Name', mobile: 'Mobile', idNumber: 'ID number', customerId: 'Customer', openDate: 'Opened',
  profile: 'Profile', household: 'Household', accounts: 'Accounts', recentTrades: 'Recent trades', timeline: 'Timeline',
  scores: 'Scores', churnReasons: 'Churn reasons', credit: 'Credit grade', rfm: 'RFM', profit: 'Profit contribution',
  logContact: 'Log a contact', channel: 'Channel', type: 'Type', subject: 'Subject', notes: 'Notes', save: 'Save',
  cube: 'Cube explorer', measures: 'Measures', dimensions: 'Dimensions', where: 'Filter', run: 'Run', clusters: 'Clusters',
  model: 'Churn model', rules: 'Decision rules', kpi: 'KPI scorecard', level: 'Level', period: 'Period', rank: 'Rank',
  composite: 'Composite', users: 'Users', role: 'Role', disabled: 'Disabled', disable: 'Disable', enable: 'Enable',
  resetPassword: 'Reset password', create: 'Create', chain: 'Audit chain', intact: 'intact', broken: 'TAMPERED',
  actor: 'Actor', action: 'Action', time: 'Time', source: 'Source', noData: 'No data', loading: 'Loading…',
  sessionExpired: 'Your session has expired; please sign in again', language: '中文', amount: 'Amount', side: 'Side',
  symbol: 'Symbol', date: 'Date', total: 'Total', skipToContent: 'Skip to content', verifying: 'verifying…',
  address: 'Address', email: 'E-mail', relation: 'Relation', accountId: 'Account', closeDate: 'Closed', locked: 'Locked', enabled: 'Active', retention: 'Retention', label: 'Label',
  holdings: 'Holdings', quantity: 'Quantity', snapshotOn: 'Snapshot', suitability: 'Suitability', validUntil: 'Valid until', expired: 'expired',
  lowestCategory: 'lowest risk category', professional: 'Professional investor', mayPromote: 'May be offered', notAssessed: 'not assessed',
  nextBestActions: 'Next-best actions', priority: 'Priority', accept: 'Accept', dismiss: 'Dismiss', recorded: 'Recorded', reason: 'Reason',
  customer360: 'Customer 360', noPages: 'This login has no pages: ask an administrator', pageNotFound: 'No such page', pageFailed: 'The page failed to load',
  analysisPending: 'Customer analysis has not run yet: value tiers, churn risk and KPIs appear after the first analysis. It runs nightly (at once when the server starts on a new database), or an administrator runs fincrm analyze.',
};

export type Key = keyof typeof zh;
const dictionaries: Record<Lang, typeof zh> = { zh, en };

function initialLanguage(): Lang {
  const saved = localStorage.getItem('fincrm.lang');
  if (saved === 'zh' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

let current: Lang = initialLanguage();

export function t(key: Key): string {
  return dictionaries[current][key];
}
export function language(): Lang {
  return current;
}
export function toggleLanguage(): void {
  current = current === 'zh' ? 'en' : 'zh';
  localStorage.setItem('fincrm.lang', current);
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
}

// Codes (status, channel, tier, role...) shown in the reader's language: Chinese labels
// come from the server's vocabulary, the same tables the importer parses with.
let vocabulary: Record<string, Record<string, string>> = {};
export function setVocabulary(v: Record<string, Record<string, string>>): void {
  vocabulary = v;
}
export function term(kind: string, code: unknown): string {
  if (code === undefined || code === null || code === '') return '—';
  const text = String(code);
  if (current === 'zh') return vocabulary[kind]?.[text] ?? text;
  return text.replaceAll('_', ' ');
}

// The cube's measures and dimensions.
const cubeNames: Record<string, [string, string]> = {
  commission: ['佣金', 'Commission'], trade_amount: ['成交金额', 'Trade amount'], trade_count: ['成交笔数', 'Trades'],
  active_customers: ['活跃客户', 'Active customers'], new_customers: ['新增客户', 'New customers'], assets: ['客户资产', 'Assets'],
  month: ['月份', 'Month'], quarter: ['季度', 'Quarter'], branch: ['营业部', 'Branch'], broker: ['经纪人', 'Broker'],
  province: ['省份', 'Province'], tier: ['价值等级', 'Tier'], cluster: ['客户群', 'Cluster'], risk_level: ['风险等级', 'Risk level'],
  channel: ['委托渠道', 'Channel'], product_type: ['产品类型', 'Product type'], market: ['市场', 'Market'], age_band: ['年龄段', 'Age band'],
};
export function cubeName(code: string): string {
  return cubeNames[code]?.[current === 'zh' ? 0 : 1] ?? code;
}
// Which vocabulary a cube dimension's keys come from.
const dimensionVocabulary: Record<string, string> = {
  tier: 'value_tier', risk_level: 'risk_level', channel: 'trade_channel', product_type: 'product_type', market: 'market',
};
export function dimensionKey(dimension: string, key: string): string {
  const kind = dimensionVocabulary[dimension];
  return kind ? term(kind, key) : key;
}

const locale = () => (current === 'zh' ? 'zh-CN' : 'en-US');
// Amounts arrive as exact yuan numbers; shown with thousands separators and 2 places.
export function yuan(value: unknown): string {
  const n = typeof value === 'number' ? value : Number(value ?? 0);
  return '¥' + n.toLocaleString(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}
export function count(value: unknown): string {
  return Number(value ?? 0).toLocaleString(locale());
}
export function percent(value: unknown): string {
  return value === null || value === undefined ? '—' : (Number(value) * 100).toFixed(1) + '%';
}
// Times are shown in the exchange's time zone (Asia/Shanghai) wherever the browser is:
// trading hours and contact times must read the same for everyone.
export function date(value: unknown): string {
  if (!value) return '—';
  const text = String(value);
  if (text.length === 10) return new Date(text + 'T00:00:00Z').toLocaleDateString(locale(), { timeZone: 'UTC' });
  return new Date(text).toLocaleString(locale(), { timeZone: 'Asia/Shanghai', hour12: false });
}
