// Composes subgraphs with a reference composer: `guild` (default,
// @theguild/federation-composition) or `apollo` (@apollo/composition, Apollo Federation's own;
// Elastic-2.0, used here as a test-time yardstick only).
// Usage: node compose-reference.mjs [guild|apollo]
// stdin: JSON [{ "name", "url", "sdl" }]; stdout: the supergraph SDL.
// On composition errors: exit 1, JSON [{ "message", "code" }] on stderr (SDL that does not
// parse is reported as Apollo's pipelines report it, with code INVALID_GRAPHQL).
import { parse } from 'graphql';

const composers = {
  guild: async () => (await import('@theguild/federation-composition')).composeServices,
  apollo: async () => (await import('@apollo/composition')).composeServices,
};
const which = process.argv[2] ?? 'guild';
if (!composers[which]) {
  console.error(`unknown composer "${which}"; use one of: ${Object.keys(composers).join(', ')}`);
  process.exit(2);
}
const composeServices = await composers[which]();

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const subgraphs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
let services;
try {
  services = subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) }));
} catch (error) {
  console.error(JSON.stringify([{ message: error.message, code: 'INVALID_GRAPHQL' }]));
  process.exit(1);
}
const result = composeServices(services);
if (result.errors && result.errors.length > 0) {
  console.error(JSON.stringify(result.errors.map((e) => ({ message: e.message, code: e.extensions?.code }))));
  process.exit(1);
}
process.stdout.write(result.supergraphSdl);
