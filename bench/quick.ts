// `npm run bench -- --quick` (or BENCH_QUICK=1): every section at a small size, in a minute or two, so CI can
// run the bench after the tests and catch a bench that no longer runs. Quick mode never fails on a figure
// (budget, Lighthouse score, timing); only on the bench itself breaking.
export const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1'

/** `full` in a normal run, `quick` in quick mode. */
export const sized = <T>(full: T, quick: T): T => (QUICK ? quick : full)
