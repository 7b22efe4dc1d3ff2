// The `fastify4` alias (npm:fastify@4) has no types of its own here; its API is what these tests use of Fastify 5's.
declare module 'fastify4' {
  import Fastify from 'fastify';
  export default Fastify;
}
