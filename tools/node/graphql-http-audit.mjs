// The GraphQL-over-HTTP spec audit from `graphql-http` against a running server.
// Usage: node graphql-http-audit.mjs <graphql url>
// Prints one JSON document: { total, ok, warnings: [...], errors: [...] } (errors are failed
// MUSTs); exits 1 when any MUST fails, 2 when the audit cannot run.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node graphql-http-audit.mjs <graphql url>');
  process.exit(2);
}

const results = await auditServer({ url });
const summarize = async (result) => ({
  id: result.id,
  name: result.name,
  reason: result.reason,
  status: result.response?.status,
  body: result.response ? (await result.response.text()).slice(0, 300) : undefined,
});
const warnings = await Promise.all(
  results.filter((r) => r.status === 'warn' || r.status === 'notice').map(summarize),
);
const errors = await Promise.all(results.filter((r) => r.status === 'error').map(summarize));
console.log(
  JSON.stringify(
    { total: results.length, ok: results.filter((r) => r.status === 'ok').length, warnings, errors },
    null,
    2,
  ),
);
process.exit(errors.length > 0 ? 1 : 0);
