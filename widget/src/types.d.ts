// The shapes the widget reads and shares between its modules (type-checked by `npm run check`).

/** The visitor's state, as the server writes it into the page and answers it (contract section 3). */
export interface State {
  visitor_id?: string;
  policy_version?: string;
  mode?: string;
  categories: Record<string, boolean>;
  services?: Record<string, boolean>;
  decided?: boolean;
  prompt?: boolean;
  gpc?: boolean;
  sale_opt_out?: boolean;
  sale_opt_in?: boolean;
  reprompt_not_before?: string | null;
  age_band?: string;
  parental_consent?: string | null;
  usprivacy?: string;
  /** The IAB GPP string and its section ids (contract section 8). */
  gpp?: string;
  gpp_sid?: number[];
  changes?: string[];
}

export interface CookieConfig {
  name: string;
  lifetime: string;
}

export interface ServiceConfig {
  id: string;
  /** What visitors call it: its name, else its vendor, else its id. */
  name: string;
  vendor: string;
  hosts: string[];
  description: string;
  cookies: CookieConfig[];
  local_storage: string[];
}

export interface CategoryConfig {
  id: string;
  label: string;
  description: string;
  required: boolean;
  sale_or_sharing: boolean;
  services: ServiceConfig[];
}

/** [name or "prefix*", category, service] */
export type NameRow = [string, string, string];

/**
 * What the synchronous part knows of the policy (consentkit/widget_config.py boot_config),
 * the same for every page and language: it comes first in boot.js.
 */
export interface BootConfig {
  prefix: string;
  mode: string;
  /** Categories of sale or sharing. */
  sale: string[];
  /** Each category's Google Consent Mode types (the policy's validated mapping). */
  consent_mode: Record<string, string[]>;
  /** Every Google Consent Mode type: the default names each of them. */
  consent_mode_types: string[];
  /** [host (".example.net" for "*.example.net"), path prefix or "", category, service] */
  hosts: [string, string, string, string][];
  cookies: NameRow[];
  storage: NameRow[];
  /** A regular expression that any URL naming a declared host matches. */
  suspect: string;
}

/** What the banner and the dialog show, in one language: it comes first in widget.js. */
export interface WidgetConfig {
  lang: string;
  languages: string[];
  age_gate: boolean;
  /** The root's classes: "ck", then the policy's layout and position ("ck-box ck-top ck-right"). */
  classes: string;
  categories: CategoryConfig[];
  notice: string[];
  privacy_url: string;
  texts: Record<string, string>;
  /** The GPP sections this policy's strings may hold, by API prefix (consentkit/gpp.py layouts). */
  gpp: Record<string, GppLayout>;
}

/** A GPP section (by id in WidgetConfig.gpp): its API prefix, whether it has the GPC sub-section, its core fields [name, bits, count]. */
export type GppLayout = [string, boolean, [string, number, number][]];

export type Listener = (state: State) => void;

/** The runtime the synchronous part builds and the deferred part uses. */
export interface Core {
  readonly policy: BootConfig;
  readonly state: State;
  /** Whether a category, or a service, is granted now (own properties only). */
  allows(id: string): boolean;
  /** The [category, service] of the declared host a URL loads from, or null (set by the guard). */
  owner?: (url: string) => string[] | null;
  /** Whether a [category, service] is granted: the service's own value, else its category's. */
  grants?: (owner: string[]) => boolean;
  /** The navigator's Global Privacy Control, read once before any other script ran. */
  readonly gpc: boolean;
  /** Take a new state and tell every listener, in the order they came. */
  set(state: State): void;
  onChange(listener: Listener): void;
  /** What the deferred part loaded (read by `consentkit scan`). */
  details?: WidgetConfig;
  /** The page's own listeners (`consentkit.on("change", fn)`), told after the widget's. */
  readonly subscribers: Listener[];
  /** The helpers boot.js hands widget.js, which has no copies of its own (build.mjs). */
  shared?: Shared;
}

/** The modules whose exports boot.js shares, by what build.mjs calls them. */
export interface Shared {
  own: typeof import("./own.js").own;
  attempt: typeof import("./page.js").attempt;
  matchesName: typeof import("./names.js").matchesName;
  webUrl: typeof import("./url.js").webUrl;
  URL_ATTRIBUTE_NAMES: typeof import("./url.js").URL_ATTRIBUTE_NAMES;
  srcsetUrls: typeof import("./url.js").srcsetUrls;
}

/** What `h()` takes as children: nodes, text, nested lists; falsy ones are skipped. */
export type Child = Node | string | false | null | undefined | 0 | Child[];

declare global {
  interface Navigator {
    /** Global Privacy Control (https://w3c.github.io/gpc/). */
    readonly globalPrivacyControl?: boolean;
  }
}
