// pitr: the accidental-deletion drill. Under steady load and a ledger of acknowledged writes, the drill records the
// WAL position and deletes every `hold` report, as a careless operator would. A point-in-time restore
// (recovery_target_lsn) goes to a side instance with archiving off, so it cannot pollute the archive, and the
// deleted rows are copied back while the primary keeps serving. Promise: no row from before the accident is missing,
// no write acknowledged after it is lost (RPO 0), and the time until the rows are back is measured and held against
// the plan's 30 minutes.

import { defineScenario } from '../../src/scenario/define.ts';
import { collectors, data, setup, TARGET_BASE_URL } from '../journeys.ts';
import { drillJourneys, phasedStages } from './drill-kit.ts';

export default defineScenario({
  name: 'pitr',
  description: 'rows deleted by mistake are recovered from a point-in-time restore on a side instance',
  target: { baseUrl: TARGET_BASE_URL },
  lab: { recovery: true },
  load: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: phasedStages(20, [['drill', '90s']]),
    gracefulRampDown: '5s',
  },
  faults: [{ action: 'recovery-pitr', at: '15s', params: { archiveTimeoutS: 5, writeBeforeAccidentMs: 3_000 } }],
  setup,
  journeys: drillJourneys(),
  data,
  thresholds: {
    recovery_restore_ok: ['min==1'],
    recovery_integrity_ok: ['min==1'],
    recovery_rows_missing: ['max==0'],
    recovery_writes_acked: ['min>0'],
    recovery_writes_lost: ['max==0'],
    recovery_rpo: ['max==0'],
    recovery_rto: ['max<1800000'],
    'http_req_failed{phase:drill}': ['rate<0.01'],
  },
  collectors,
  // The drill shares the machine's cores with what it injects (a restore, a promotion, a proxy), so the generator's
  // event loop lags more than under a plain load. A lag only lengthens what the client measures (an RTO, a 503's
  // time), so it can fail these gates, not pass them; up to 1 s it does not make the run invalid.
  saturation: { maxLoopLagP99: '1s' },
  profiles: { ci: { time: 0.5, load: 0.5 }, smoke: { time: 0.3, load: 0.25 } },
});
