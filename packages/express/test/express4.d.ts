// The `express4` alias (npm:express@4) has no types of its own; its API is what these tests use of Express 5's.
declare module 'express4' {
  import express from 'express';
  export default express;
}
