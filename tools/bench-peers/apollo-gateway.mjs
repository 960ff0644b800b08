// Apollo Gateway (JavaScript) serving a composed supergraph, as `cargo xtask bench --compare`
// runs it: `node apollo-gateway.mjs SUPERGRAPH_FILE PORT`. Configured like our router where
// the gateway can be: the Authorization and x-request-id headers go on to subgraphs.
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';

const [supergraphFile, port] = process.argv.slice(2);
if (!supergraphFile || !port) {
  console.error('usage: node apollo-gateway.mjs SUPERGRAPH_FILE PORT');
  process.exit(2);
}

const PROPAGATED = ['authorization', 'x-request-id'];

class PropagatingDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    for (const name of PROPAGATED) {
      const value = context.headers?.[name];
      if (value) request.http.headers.set(name, value);
    }
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphFile, 'utf8'),
  buildService: ({ url }) => new PropagatingDataSource({ url }),
});
const server = new ApolloServer({ gateway, introspection: false });
const { url } = await startStandaloneServer(server, {
  listen: { host: '127.0.0.1', port: Number(port) },
  context: async ({ req }) => ({ headers: req.headers }),
});
console.log(`Apollo Gateway ready at ${url}`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await server.stop();
    process.exit(0);
  });
}
