/** Every case, in report order. */
import type { BenchCase } from "./case.js";
import { deleteCase } from "./delete.js";
import { eventsCase } from "./events.js";
import { filterCase } from "./filter.js";
import { listCase } from "./list.js";
import { rssCase } from "./rss.js";
import { startupCase } from "./startup.js";
import { syncCase } from "./sync.js";
import { viewsCase } from "./views.js";

export const CASES: readonly BenchCase[] = [startupCase, listCase, filterCase, deleteCase, rssCase, eventsCase, syncCase, viewsCase];

export type { BenchCase, Step } from "./case.js";
