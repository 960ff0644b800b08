// Composes subgraphs with the reference composer, @theguild/federation-composition.
// stdin: JSON [{ "name", "url", "sdl" }]; stdout: the supergraph SDL.
// On composition errors: exit 1, JSON [{ "message", "code" }] on stderr.
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const subgraphs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const result = composeServices(
  subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
);
if (result.errors && result.errors.length > 0) {
  console.error(JSON.stringify(result.errors.map((e) => ({ message: e.message, code: e.extensions?.code }))));
  process.exit(1);
}
process.stdout.write(result.supergraphSdl);
