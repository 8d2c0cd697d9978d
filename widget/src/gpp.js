// The IAB Global Privacy Platform's CMP API, `__gpp(command, callback, parameter)`, from
// the first script (GPP CMP API 1.1): this stub answers `ping` at once and keeps every
// other call in `__gpp.queue` (the specification's stub convention) until widget.js
// takes over (cmpapi.js) and answers them in the order they came.
import { CMP_ID } from "./constants.js";

export function installGpp() {
  /** @type {unknown[][]} */
  const queue = [];
  const stub = (/** @type {unknown[]} */ ...call) => {
    if (call[0] !== "ping") queue.push(call);
    else if (typeof call[1] === "function") {
      call[1]({
        gppVersion: "1.1", cmpStatus: "stub", cmpDisplayStatus: "hidden", signalStatus: "not ready",
        supportedAPIs: [], cmpId: CMP_ID, sectionList: [],
        // 0: not known yet (the specification's value during stub and load).
        applicableSections: [0], gppString: "", parsedSections: {},
      }, true);
    }
  };
  stub.queue = queue;
  /** @type {any} */ (window).__gpp = stub;
}
