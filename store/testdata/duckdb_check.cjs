// Reads Parquet files with DuckDB, independently of zoograph, and prints for
// each file its column types and per-column aggregates as JSON, for
// TestDuckDBReadsEveryTable. Usage: node duckdb_check.cjs FILE...
// Needs @duckdb/node-api on NODE_PATH.
const { DuckDBInstance } = require('@duckdb/node-api');

function aggregates(name, type) {
  const c = '"' + name + '"';
  const out = { count: `count(${c})::VARCHAR` };
  if (type === 'VARCHAR') out.bytes = `coalesce(sum(strlen(${c})), 0)::VARCHAR`;
  if (type === 'BIGINT') out.sum = `coalesce(sum(${c}), 0)::VARCHAR`;
  if (type === 'DOUBLE') {
    out.nan = `count(*) FILTER (WHERE isnan(${c}))::VARCHAR`;
    out.inf = `count(*) FILTER (WHERE isinf(${c}))::VARCHAR`;
  }
  if (type === 'BOOLEAN') out.true = `count(*) FILTER (WHERE ${c})::VARCHAR`;
  if (type === 'TIMESTAMP WITH TIME ZONE') out.sum = `coalesce(sum(epoch_us(${c})), 0)::VARCHAR`;
  if (type === 'VARCHAR[]') {
    out.elements = `coalesce(sum(len(${c})), 0)::VARCHAR`;
    out.bytes = `coalesce(sum(strlen(array_to_string(${c}, ''))), 0)::VARCHAR`;
  }
  return out;
}

async function main() {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const result = {};
  for (const file of process.argv.slice(2)) {
    const src = `read_parquet('${file.replace(/'/g, "''")}')`;
    const desc = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`)).getRowObjectsJson();
    const columns = [];
    for (const d of desc) {
      const aggs = aggregates(d.column_name, d.column_type);
      const sel = Object.entries(aggs).map(([k, v]) => `${v} AS "${k}"`).join(', ');
      const row = (await conn.runAndReadAll(`SELECT ${sel} FROM ${src}`)).getRowObjectsJson()[0];
      columns.push({ name: d.column_name, type: d.column_type, aggs: row });
    }
    const rows = (await conn.runAndReadAll(`SELECT count(*)::VARCHAR AS n FROM ${src}`)).getRowObjectsJson()[0].n;
    result[file] = { rows, columns };
  }
  process.stdout.write(JSON.stringify(result));
}

main().catch((e) => { console.error(e); process.exit(1); });
