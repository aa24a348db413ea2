// restore: the database-corruption drill. Under steady load and a ledger of acknowledged writes, pgBackRest takes a
// full backup (repository in a local folder, archive_timeout 5 s); then PostgreSQL is killed hard and its data folder
// removed. The drill restores to the latest archived WAL, runs pg_amcheck --heapallindexed and pgbackrest verify,
// and brings the API back on the restored database. Promise: every restore succeeds and passes its checks; the
// writes lost stay within what archive_timeout allows (5 s, plus 5 s for the segment in flight); RTO is measured
// and held against the plan's 2 hours (RPO target: 5 minutes).

import { defineScenario } from '../../src/scenario/define.ts';
import { collectors, data, setup, TARGET_BASE_URL } from '../journeys.ts';
import { drillJourneys, phasedStages } from './drill-kit.ts';

export default defineScenario({
  name: 'restore',
  description: 'PostgreSQL is killed and its data folder removed; restore from pgBackRest and replay WAL',
  target: { baseUrl: TARGET_BASE_URL },
  lab: { recovery: true },
  load: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: phasedStages(20, [['drill', '90s']]),
    gracefulRampDown: '5s',
  },
  faults: [{ action: 'recovery-restore', at: '15s', params: { archiveTimeoutS: 5, writeAfterBackupMs: 2_000 } }],
  setup,
  journeys: drillJourneys(),
  data,
  thresholds: {
    recovery_restore_ok: ['min==1'],
    recovery_integrity_ok: ['min==1'],
    recovery_writes_acked: ['min>0'],
    recovery_rpo: ['max<=10000'],
    recovery_rto: ['max<7200000'],
  },
  collectors,
  // The drill shares the machine's cores with what it injects (a restore, a promotion, a proxy), so the generator's
  // event loop lags more than under a plain load. A lag only lengthens what the client measures (an RTO, a 503's
  // time), so it can fail these gates, not pass them; up to 1 s it does not make the run invalid.
  saturation: { maxLoopLagP99: '1s' },
  profiles: { ci: { time: 0.5, load: 0.5 }, smoke: { time: 0.3, load: 0.25 } },
});
