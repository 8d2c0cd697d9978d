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
}

export interface CookieConfig {
  name: string;
  lifetime: string;
}

export interface ServiceConfig {
  id: string;
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
  /** The Google Consent Mode types this category grants (the policy's validated mapping). */
  consent_mode: string[];
  services: ServiceConfig[];
}

/** What the widget knows of the policy. */
export interface Config {
  prefix: string;
  mode: string;
  age_gate: boolean;
  categories: CategoryConfig[];
  /** The widget's strings, per language. */
  texts: Record<string, Record<string, string>>;
}

export type Listener = (state: State) => void;

/** The runtime the synchronous part builds and the deferred part uses. */
export interface Core {
  readonly config: Config;
  readonly state: State;
  /** Whether a category, or a service, is granted now (own properties only). */
  allows(id: string): boolean;
  /** Categories of sale or sharing. */
  readonly saleIds: string[];
  /** The navigator's Global Privacy Control, read once before any other script ran. */
  readonly gpc: boolean;
  /** Take a new state and tell every listener, in the order they came. */
  set(state: State): void;
  onChange(listener: Listener): void;
  /** The page's own listeners (`consentkit.on("change", fn)`), told after the widget's. */
  readonly subscribers: Listener[];
}

/** What `h()` takes as children: nodes, text, nested lists; falsy ones are skipped. */
export type Child = Node | string | false | null | undefined | 0 | Child[];

declare global {
  interface Navigator {
    /** Global Privacy Control (https://w3c.github.io/gpc/). */
    readonly globalPrivacyControl?: boolean;
  }
}
