// The IAB Global Privacy Platform's `__gpp` stub belongs here, in the synchronous part,
// beside `__uspapi`: it must answer (or queue) calls from the first script on.
// The regions and GPP work (#15) fills it in; until then the page has no `__gpp`.

/** @param {import("./types").Core} _core */
export function installGpp(_core) {}
