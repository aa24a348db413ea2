// failover: the regional-outage drill, on two lab "regions". A streaming standby is made with pg_basebackup -R on
// its own port (synchronous replication); under steady load and a ledger of acknowledged writes the primary is killed
// hard. The lab's failover controller detects it, promotes the standby (pg_promote), points PgBouncer at it and runs
// RELOAD (node-postgres has no multi-host failover; PgBouncer is the switch point). Promise: no acknowledged write
// lost (synchronous replication), the ledger's errors only inside the switch window, the old primary started again
// refuses writes, and the RTO is measured and held against the plan's hour (RPO target: 5 minutes).

import { defineScenario } from '../../src/scenario/define.ts';
import { collectors, data, setup, TARGET_BASE_URL } from '../journeys.ts';
import { drillJourneys, phasedStages } from './drill-kit.ts';

export default defineScenario({
  name: 'failover',
  description: 'the primary is killed; the standby is promoted and PgBouncer is pointed at it',
  target: { baseUrl: TARGET_BASE_URL },
  lab: { recovery: true, pgbouncer: true },
  load: {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: phasedStages(20, [['drill', '90s']]),
    gracefulRampDown: '5s',
  },
  faults: [{ action: 'recovery-failover', at: '15s', params: { synchronous: true, writeBeforeFaultMs: 3_000 } }],
  setup,
  journeys: drillJourneys(),
  data,
  thresholds: {
    recovery_promoted: ['min==1'],
    recovery_old_primary_writable: ['max==0'],
    recovery_writes_acked: ['min>0'],
    recovery_writes_lost: ['max==0'],
    recovery_errors_outside_switch: ['max==0'],
    recovery_rpo: ['max==0'],
    recovery_rto: ['max<3600000'],
  },
  collectors,
  // The drill shares the machine's cores with what it injects (a restore, a promotion, a proxy), so the generator's
  // event loop lags more than under a plain load. A lag only lengthens what the client measures (an RTO, a 503's
  // time), so it can fail these gates, not pass them; up to 1 s it does not make the run invalid.
  saturation: { maxLoopLagP99: '1s' },
  profiles: { ci: { time: 0.5, load: 0.5 }, smoke: { time: 0.3, load: 0.25 } },
});
