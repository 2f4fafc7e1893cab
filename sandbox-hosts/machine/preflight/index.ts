export { imageReserveBytes, listeningSockets, preflightChecks, type Finding, type PreflightCheck, type PreflightContext } from './checks.ts';
export { formatProblems, formatTable, problemsOf, runPreflight, type CheckOutcome, type PreflightOptions } from './preflight.ts';
export { realProbe, type MachineProbe } from './probe.ts';
