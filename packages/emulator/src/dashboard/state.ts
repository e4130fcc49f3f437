// What the page shows now, shared by its sections: the merchant picked, where the customer list is, the
// customer opened beside it, and the fault rules.
import type { EmulatorInfo, FaultSettings } from "../admin/endpoints.js";
import type { MerchantView } from "../admin/views.js";
import type { FaultRule } from "../api/faults.js";

interface State {
  info: EmulatorInfo | undefined;
  merchants: MerchantView[];
  merchant: string | undefined;
  query: string;
  /** Cursor of each customer page seen so far (the first page has none). */
  pageCursors: Array<string | undefined>;
  page: number;
  nextCursor: string | undefined;
  selectedCustomer: string | undefined;
  faults: FaultSettings;
  /** Rules the switches cannot show (nth, several operations): kept as they are. */
  otherRules: FaultRule[];
}

export const state: State = {
  info: undefined,
  merchants: [],
  merchant: undefined,
  query: "",
  pageCursors: [undefined],
  page: 0,
  nextCursor: undefined,
  selectedCustomer: undefined,
  faults: { kinds: [], operations: [], rules: [] },
  otherRules: [],
};
