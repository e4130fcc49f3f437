// The dashboard's page and style, served by the emulator as they are (its script is app.ts, compiled
// with the package). Kept as strings so that the package's build (tsc alone) ships everything.

/** The page at `GET /`: sections filled by app.ts from the admin API. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Square Customers emulator</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/_emulator/dashboard.css" />
    <script type="module" src="/_emulator/dashboard.js"></script>
  </head>
  <body>
    <header>
      <h1>Square Customers emulator</h1>
      <p id="about"></p>
      <p id="snapshot-save" hidden>
        Save a snapshot:
        <a id="snapshot-all" class="button" href="/_emulator/snapshot" download>every merchant</a>
        <a id="snapshot-merchant" class="button" download hidden>this merchant</a>
        <span class="muted">(a JSON file <code>--snapshot</code> starts from; webhook signature keys left out)</span>
      </p>
    </header>
    <main>
      <section id="merchants" aria-labelledby="merchants-title">
        <h2 id="merchants-title">Merchants</h2>
        <p class="hint">Every bearer token is its own merchant, shown by a short hash of the token.</p>
        <ul id="merchant-list"></ul>
        <p id="no-merchants" class="empty" hidden>
          No merchant yet: call the API with any bearer token, e.g.
          <code>curl -H 'Authorization: Bearer my-token' <span class="base-url"></span>/v2/customers</code>
        </p>
      </section>

      <section id="customers" aria-labelledby="customers-title">
        <h2 id="customers-title">Customers <span id="merchant-name" class="muted"></span></h2>
        <form id="customer-search">
          <input
            type="search"
            name="q"
            placeholder="Search name, company, email, phone, reference id, id"
            aria-label="Search customers"
            autocomplete="off"
          />
        </form>
        <div class="browse">
          <div class="list">
            <table id="customer-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Email</th>
                  <th>Phone</th>
                  <th>Reference id</th>
                  <th>Source</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                <tr class="loading"><td colspan="6">Loading…</td></tr>
              </tbody>
            </table>
            <nav class="pager" aria-label="Customer pages">
              <button type="button" id="previous-page">Previous</button>
              <span id="page-number"></span>
              <button type="button" id="next-page">Next</button>
            </nav>
          </div>
          <aside id="customer-detail" aria-labelledby="detail-title" hidden>
            <h3 id="detail-title">Customer <code id="detail-id"></code></h3>
            <pre id="detail-json"></pre>
            <h4>Custom attribute values</h4>
            <table id="detail-attributes">
              <thead>
                <tr>
                  <th>Key</th>
                  <th>Value</th>
                  <th>Version</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody></tbody>
            </table>
            <h4>Cards on file</h4>
            <table id="detail-cards">
              <thead>
                <tr>
                  <th>Brand</th>
                  <th>Last 4</th>
                  <th>Id</th>
                </tr>
              </thead>
              <tbody></tbody>
            </table>
          </aside>
        </div>
      </section>

      <section id="groups" aria-labelledby="groups-title">
        <h2 id="groups-title">Groups</h2>
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Id</th>
              <th>Members</th>
            </tr>
          </thead>
          <tbody>
            <tr class="loading"><td colspan="3">Loading…</td></tr>
          </tbody>
        </table>
      </section>

      <section id="segments" aria-labelledby="segments-title">
        <h2 id="segments-title">Segments</h2>
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Id</th>
              <th>Members</th>
            </tr>
          </thead>
          <tbody>
            <tr class="loading"><td colspan="3">Loading…</td></tr>
          </tbody>
        </table>
      </section>

      <section id="definitions" aria-labelledby="definitions-title">
        <h2 id="definitions-title">Custom attribute definitions</h2>
        <table>
          <thead>
            <tr>
              <th>Key</th>
              <th>Name</th>
              <th>Type</th>
              <th>Visibility</th>
              <th>Version</th>
            </tr>
          </thead>
          <tbody>
            <tr class="loading"><td colspan="5">Loading…</td></tr>
          </tbody>
        </table>
      </section>

      <section id="faults" aria-labelledby="faults-title">
        <h2 id="faults-title">Faults</h2>
        <p class="hint">
          Switch a fault on and it applies to the next matching requests. Rate: the share of requests it
          hits (empty: every one).
        </p>
        <table id="fault-table">
          <thead>
            <tr>
              <th>On</th>
              <th>Fault</th>
              <th>Operation</th>
              <th>Rate</th>
              <th>Option</th>
            </tr>
          </thead>
          <tbody>
            <tr class="loading"><td colspan="5">Loading…</td></tr>
          </tbody>
        </table>
        <p id="other-rules" class="muted" hidden></p>
        <p id="fault-error" class="error" role="alert" hidden></p>
      </section>

      <section id="requests" aria-labelledby="requests-title">
        <h2 id="requests-title">Requests <span id="live" class="muted"></span></h2>
        <table id="request-log">
          <thead>
            <tr>
              <th>Time</th>
              <th>Method</th>
              <th>Path</th>
              <th>Status</th>
              <th>ms</th>
              <th>Fault</th>
              <th>Operation</th>
              <th>Merchant</th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
        <p id="no-requests" class="empty">No API requests yet.</p>
      </section>

      <section id="webhook-deliveries" aria-labelledby="webhooks-title">
        <h2 id="webhooks-title">Webhook deliveries</h2>
        <p class="hint">
          Each event on its way to a subscription (or to <code>--webhook-url</code>, shown as
          <code>startup</code>), newest first, with its attempts. <span id="webhook-queue"></span>
        </p>
        <table id="delivery-log">
          <thead>
            <tr>
              <th>Time</th>
              <th>Event</th>
              <th>Event id</th>
              <th>Subscription</th>
              <th>URL</th>
              <th>State</th>
              <th>Attempts</th>
              <th>Status</th>
              <th>ms</th>
              <th>Retry reason</th>
              <th>Faults</th>
            </tr>
          </thead>
          <tbody>
            <tr class="loading"><td colspan="11">Loading…</td></tr>
          </tbody>
        </table>
        <p id="no-deliveries" class="empty" hidden>
          No deliveries yet: create a subscription (<code>POST /v2/webhooks/subscriptions</code>) or start the
          emulator with <code>--webhook-url</code>, then change some data.
        </p>
      </section>
    </main>
  </body>
</html>
`;

/** `GET /_emulator/dashboard.css` */
export const PAGE_CSS = `:root {
  color-scheme: light dark;
  --border: #8883;
  --muted: #888;
  --accent: #006aff;
  --error: #d4351c;
  --warn: #b36b00;
  font:
    14px / 1.4 system-ui,
    sans-serif;
}

body {
  margin: 0;
}

header {
  display: flex;
  align-items: baseline;
  gap: 1.5rem;
  padding: 0.75rem 1.25rem;
  border-bottom: 1px solid var(--border);
}

h1 {
  font-size: 1.2rem;
  margin: 0;
}

h2 {
  font-size: 1rem;
  margin: 0 0 0.5rem;
}

h3,
h4 {
  font-size: 0.95rem;
  margin: 0.75rem 0 0.25rem;
}

main {
  display: grid;
  grid-template-columns: minmax(14rem, 1fr) 3fr;
  gap: 1rem 1.5rem;
  padding: 1rem 1.25rem;
}

section {
  min-width: 0;
  overflow-x: auto;
}

#merchants {
  grid-row: span 4;
}

#customers,
#groups,
#segments,
#definitions,
#faults,
#requests,
#webhook-deliveries {
  grid-column: 2;
}

table {
  border-collapse: collapse;
  width: 100%;
}

th,
td {
  text-align: left;
  padding: 0.25rem 0.5rem;
  border-bottom: 1px solid var(--border);
  white-space: nowrap;
  overflow: hidden;
  text-overflow: ellipsis;
  max-width: 18rem;
}

th {
  font-weight: 600;
  color: var(--muted);
}

code,
pre,
.mono {
  font-family: ui-monospace, monospace;
  font-size: 0.85rem;
}

pre {
  max-height: 18rem;
  overflow: auto;
  padding: 0.5rem;
  border: 1px solid var(--border);
}

a.button {
  display: inline-block;
  padding: 0.15rem 0.6rem;
  border: 1px solid currentColor;
  border-radius: 4px;
  text-decoration: none;
}

.muted,
.hint {
  color: var(--muted);
}

.empty {
  color: var(--muted);
  font-style: italic;
}

.error {
  color: var(--error);
}

tr.loading td,
td.empty {
  color: var(--muted);
  font-style: italic;
}

/* The customer list and the one picked, side by side: the detail stays in view beside a long page. On
   a narrow window it goes below the list (and is scrolled to when a customer is picked). */
#customers {
  /* Not a scroll container, so the detail can stick to the window as the page scrolls. */
  overflow: visible;
}

.browse {
  display: grid;
  grid-template-columns: minmax(0, 1fr);
  gap: 1rem;
  align-items: start;
}

@media (min-width: 60rem) {
  .browse:has(> #customer-detail:not([hidden])) {
    grid-template-columns: minmax(0, 1fr) minmax(18rem, 26rem);
  }
}

.list {
  min-width: 0;
  overflow-x: auto;
}

#customer-detail {
  position: sticky;
  top: 0.5rem;
  max-height: calc(100vh - 1rem);
  overflow: auto;
  border: 1px solid var(--border);
  padding: 0 0.75rem 0.75rem;
}

#customer-detail h3 {
  margin-top: 0.5rem;
}


#merchant-list {
  list-style: none;
  padding: 0;
  margin: 0;
}

#merchant-list button {
  width: 100%;
  text-align: left;
  padding: 0.4rem 0.5rem;
  margin-bottom: 0.25rem;
  border: 1px solid var(--border);
  background: none;
  color: inherit;
  cursor: pointer;
}

#merchant-list button[aria-pressed="true"] {
  border-color: var(--accent);
  outline: 1px solid var(--accent);
}

#customer-search input {
  width: 100%;
  box-sizing: border-box;
  padding: 0.4rem;
  margin-bottom: 0.5rem;
}

#customer-table tbody tr {
  cursor: pointer;
}

#customer-table tbody tr:hover,
#customer-table tbody tr[aria-selected="true"] {
  background: #8881;
}

.pager {
  display: flex;
  gap: 0.75rem;
  align-items: center;
  margin-top: 0.5rem;
}

#fault-table input[type="number"] {
  width: 5rem;
}

tr.failed td.status,
td.fault {
  color: var(--error);
  font-weight: 600;
}

tr.slow td.ms {
  color: var(--warn);
}

#delivery-log td.state {
  font-weight: 600;
}

#delivery-log tr[data-state="failed"] td.state,
#delivery-log tr[data-state="dropped"] td.state {
  color: var(--error);
}

#delivery-log tr[data-state="retrying"] td.state,
#delivery-log tr[data-state="queued"] td.state {
  color: var(--warn);
}
`;
