// DuckDB peer of bench/analytics/analytics_bench.cc: the same synthetic trades (same
// formulas), the same three queries, 2 threads, in memory. Prints the best of three
// times per query, in seconds, as "name seconds rows".
//   node peer.mjs TRADES CUSTOMERS
import { DuckDBInstance } from '@duckdb/node-api';

const [trades, customers] = process.argv.slice(2).map(Number);
const firstDay = 20000, days = 730, asOf = firstDay + days - 1, window = asOf - 365;
const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await instance.connect();
await connection.run(`
  CREATE TABLE trades AS
  SELECT (i * 2654435761) % ${customers} AS customer,
         ${firstDay} + (i * 7919) % ${days} AS day,
         100000 + (i * 104729) % 10000000 AS amount,
         greatest(500, (100000 + (i * 104729) % 10000000) * 25 // 100000) AS commission,
         (i * 13) % 5 AS channel, (i * 17) % 4 AS market, (i * 19) % 4 AS product
  FROM range(${trades}) t(i)`);

const queries = {
  rfm: `SELECT customer, ntile(5) OVER (ORDER BY -recency) r, ntile(5) OVER (ORDER BY f) fs,
               ntile(5) OVER (ORDER BY m) ms
        FROM (SELECT customer, ${asOf} - max(day) recency, count(*) FILTER (WHERE day > ${window}) f,
                     coalesce(sum(commission) FILTER (WHERE day > ${window}), 0) m
              FROM trades WHERE day <= ${asOf} GROUP BY customer)`,
  kpi: `SELECT customer % 20 branch, strftime(DATE '1970-01-01' + day::INTEGER, '%Y-%m') AS trade_month,
               sum(commission), count(DISTINCT customer)
        FROM trades GROUP BY 1, 2`,
  cube: `SELECT year(DATE '1970-01-01' + day::INTEGER) || '-Q' || quarter(DATE '1970-01-01' + day::INTEGER) q,
                channel, sum(commission) c, sum(amount)
         FROM trades WHERE market = 0 GROUP BY 1, 2 ORDER BY c DESC LIMIT 10`,
};
for (const [name, sql] of Object.entries(queries)) {
  let best = Infinity, rows = 0;
  for (let run = 0; run < 3; ++run) {
    const start = performance.now();
    const reader = await connection.runAndReadAll(sql);
    rows = reader.getRows().length;
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  console.log(`${name} ${best.toFixed(3)} ${rows}`);
}
