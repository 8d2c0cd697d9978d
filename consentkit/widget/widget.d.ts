// TypeScript declarations for consentkit's browser API: `window.consentkit`, its
// events on `document`, and the IAB signals `window.__uspapi` and `window.__gpp`.
//
// Shipped in the Python package as consentkit/widget/widget.d.ts (docs/javascript.md).
// Copy it into your project, or point at it from a TypeScript file:
//
//   /// <reference path="./types/consentkit-widget.d.ts" />
//
// It declares globals only: consentkit is a script the middleware puts into every page,
// not a module you import.

export {};

declare global {
  namespace ConsentKit {
    /** A category or service id of the site's policy, such as "analytics". */
    type Id = string;

    /** The visitor's state, the same JSON as `GET /consentkit/state` (contract section 3). */
    interface State {
      visitor_id: string;
      policy_version: string;
      mode: "opt_in" | "opt_out";
      /** Each category of the policy, granted (true) or not. */
      categories: Record<Id, boolean>;
      /** Services the visitor decided on one by one (they override their category). */
      services: Record<Id, boolean>;
      /** Whether the visitor has made a choice under this policy version. */
      decided: boolean;
      /** Whether the banner asks for a choice. */
      prompt: boolean;
      /** Whether a Global Privacy Control signal was honoured. */
      gpc: boolean;
      sale_opt_out: boolean;
      sale_opt_in: boolean;
      reprompt_not_before: string | null;
      /** "unknown", "under_13", "13_15", "16_plus" (16 or over), or where the region tells them apart "16_17" and "18_plus". */
      age_band: string;
      parental_consent: string | null;
      updated_at: string | null;
      expires_at: string | null;
      /** The IAB US Privacy string ("1YNN"). */
      usprivacy: string;
      /** The IAB Global Privacy Platform string, and the sections it carries. */
      gpp: string;
      gpp_sid: number[];
      /** The region whose rules apply ("US-CA", "EU"...), or null. */
      region: string | null;
      /** What the policy added since the visitor decided, as short texts (empty when nothing). */
      changes: string[];
      /** Whether the visitor limited the use of their sensitive personal information (/consentkit/limit). */
      sensitive_limited: boolean;
    }

    /** `window.consentkit`. */
    interface Api {
      /** The visitor's state now (from boot.js, before any other script runs). */
      readonly state: State;
      /** Whether a category, or a service, is granted now. */
      allows(id: Id): boolean;
      /** Calls `listener` after every change of the state. */
      on(event: "change", listener: (state: State) => void): void;
      /** Grants every optional category (widget.js); resolves null while a second step waits. */
      acceptAll(): Promise<State | null>;
      /** Refuses every optional category (widget.js). */
      rejectAll(): Promise<State | null>;
      /** Decides some categories or services: `save({analytics: true})` (widget.js). */
      save(choices: Record<Id, boolean>): Promise<State | null>;
      /** Opts out of the sale or sharing of personal information (widget.js). */
      optOut(): Promise<State>;
      /** Opens the preferences dialog (widget.js). */
      showPreferences(): void;
      /**
       * A stand-in for a vendor's global (`window[name]`, such as "grecaptcha") that the
       * page calls before the vendor may load: while `category` is not granted each
       * method answers with its fallback at once; once granted, calls go to the vendor's
       * own functions (widget.js).
       */
      shim(name: string, category: Id, fallbacks: Record<string, (...args: any[]) => any>): void;
    }

    /** What `__uspapi("getUSPData", 1, callback)` answers. */
    interface UspData {
      version: 1;
      uspString: string;
    }

    /** The IAB GPP CMP API (1.1): `__gpp(command, callback, parameter?, version?)`. */
    type GppCallback = (data: any, success: boolean) => void;

    /** What `__gpp("ping", callback)` answers, and every event's `pingData`. */
    interface GppPing {
      gppVersion: "1.1";
      cmpStatus: "stub" | "loaded";
      cmpDisplayStatus: "hidden" | "visible";
      signalStatus: "not ready" | "ready";
      /** "7:usnat", "8:usca", ...: the sections this site's strings may hold. */
      supportedAPIs: string[];
      cmpId: number;
      sectionList: number[];
      /** The section in force; [-1] when none applies (0 from the stub: not known yet). */
      applicableSections: number[];
      gppString: string;
      /** Each section's fields by API prefix, as `getSection` answers them. */
      parsedSections: Record<string, Record<string, number | number[] | boolean>>;
    }

    /** What an `addEventListener` callback gets. */
    interface GppEvent {
      eventName: "listenerRegistered" | "listenerRemoved" | "sectionChange" | "signalStatus" | "cmpDisplayStatus";
      listenerId: number;
      data: unknown;
      pingData: GppPing;
    }
  }

  interface DocumentEventMap {
    /** The widget is up (widget.js ran); `detail` is the state. */
    "consentkit:ready": CustomEvent<ConsentKit.State>;
    /** After each decision; `detail` is the new state. */
    "consentkit:change": CustomEvent<ConsentKit.State>;
  }

  interface Window {
    consentkit: ConsentKit.Api;
    __uspapi(command: "getUSPData", version: 1, callback: (data: ConsentKit.UspData | null, success: boolean) => void): void;
    __gpp: {
      (command: "ping", callback: (data: ConsentKit.GppPing, success: boolean) => void): void;
      (command: "addEventListener", callback: (data: ConsentKit.GppEvent, success: boolean) => void): void;
      (command: "removeEventListener", callback: (data: ConsentKit.GppEvent, success: boolean) => void,
        listenerId: number): void;
      (command: string, callback: ConsentKit.GppCallback, parameter?: unknown, version?: string): void;
      /** The calls the stub in boot.js keeps until widget.js has loaded. */
      queue?: unknown[][];
    };
  }

  var consentkit: ConsentKit.Api;
}
