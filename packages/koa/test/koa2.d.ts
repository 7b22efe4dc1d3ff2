// The `koa2` alias (npm:koa@2) has no types of its own; its API is what these tests use of Koa 3's.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
