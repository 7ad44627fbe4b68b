/** The version as served: what a version serves to a request, for the edge and every estimator. */
export { VersionView, type VersionPorts, type ServeRequest, type Ranked, type CachedCandidates } from './version-view.js';
export { posteriorMap } from './posterior-map.js';
