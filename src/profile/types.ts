// What a profile's summary holds (profile/summary.json): where Clinic's (or Node's) files are, and the findings
// read from their data, for the report's Profile section.

import type { ClinicTool, ProfileMethod } from './tools.ts';

/** The profile folder inside a run directory, and its summary file. */
export const PROFILE_DIR = 'profile';
/** The summary of the profile, inside PROFILE_DIR. */
export const PROFILE_SUMMARY_FILE = 'summary.json';

/** One function and its self time: samples whose innermost JavaScript frame it was. */
export interface HotFunction {
  name: string;
  /** `file:line` (of the code as it ran: a transpiled file's own lines). */
  location: string;
  samples: number;
  /** samples / every sample of the profile. */
  share: number;
}

/** One allocation site: bytes sampled as allocated by that function and still live at the end of sampling. */
export interface AllocationSite {
  name: string;
  location: string;
  bytes: number;
  /** bytes / every sampled byte. */
  share: number;
}

/** Clinic doctor's diagnosis. */
export interface DoctorDiagnosis {
  /** Doctor's issue category: none, gc, event-loop, io, data or unknown. */
  category: string;
  /** The category in plain words. */
  title: string;
  /** Doctor's recommendation for it, as plain sentences. */
  recommendation: string[];
  /** Each thing doctor checked and what it found: `none`, `performance` (an issue) or `data` (too little). */
  checks: Array<{ name: string; result: string }>;
}

/** profile/summary.json. */
export interface ProfileSummary {
  tool: ClinicTool;
  method: ProfileMethod;
  /** The profile's page, relative to the run directory (`profile/1234.clinic-flame.html`). */
  html?: string;
  /** The profile's data files and folders, relative to the run directory. */
  data: string[];
  /** Why the profile has no findings (the profiler wrote no data), in one sentence. */
  error?: string;
  doctor?: DoctorDiagnosis;
  /** flame: the functions with the most self time, most first. */
  hotFunctions?: HotFunction[];
  /** heapprofiler: the allocation sites with the most bytes, most first. */
  allocations?: AllocationSite[];
  /** Every sample (flame) or every sampled byte (heapprofiler) the shares are of. */
  total?: number;
}
