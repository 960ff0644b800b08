// Promise.withResolvers for Node < 22 (the audit uses it); preloaded with NODE_OPTIONS=--import.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function () { let resolve, reject; const promise = new Promise((res, rej) => { resolve = res; reject = rej; }); return { promise, resolve, reject }; };
}
