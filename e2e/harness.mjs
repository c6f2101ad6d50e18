// Shared helpers for linkwork's browser tests: start a linkwork server on a fresh SQLite
// database, drive headless Chromium with playwright-core, and check every page for console
// errors, Content-Security-Policy violations and (with axe-core) accessibility failures.
//
// Each test file starts its own server and browser, so files never share state.

import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
export const ROOT = resolve(here, '..')
export const BIN = process.env.LINKWORK_BIN || join(ROOT, 'bin', 'linkwork')
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const SCREENSHOTS = join(here, 'screenshots')

/** A password that passes linkwork's rules (at least 12 characters). */
export const PASSWORD = 'correct horse battery staple'

/** The navigation each role sees in the header, in order; the public see only PUBLIC_NAV. */
export const NAV = {
  admin: ['Home', 'Find support', 'Organisations', 'Directory', 'Directory of link workers', 'Referrals', 'Budgets', 'Measures', 'Forum', 'Landscape', 'Users', 'Audit trail', 'Casework settings', 'Your account'],
  manager: ['Home', 'Find support', 'Organisations', 'Directory', 'Directory of link workers', 'Referrals', 'People', 'Referrals to your groups', 'Your groups', 'Budgets', 'Measures', 'Forum', 'Landscape', 'Users', 'Your account'],
  commissioner: ['Home', 'Find support', 'Organisations', 'Directory of link workers', 'Budgets', 'Measures', 'Landscape', 'Your account'],
  link_worker: ['Home', 'Find support', 'Organisations', 'Directory of link workers', 'Referrals', 'People', 'Budgets', 'Forum', 'Your account'],
  referrer: ['Home', 'Find support', 'Organisations', 'Directory of link workers', 'Referrals', 'Your account'],
  community: ['Home', 'Find support', 'Organisations', 'Directory', 'Referrals', 'Referrals to your groups', 'Your groups', 'Your account'],
}
export const PUBLIC_NAV = ['Find support']

/** The accessibility standards every page must meet. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

const require = createRequire(import.meta.url)
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

function checkBinary () {
  if (!existsSync(BIN)) {
    throw new Error(`linkwork binary not found at ${BIN}: run \`make build\` (in ${ROOT}) before the browser tests`)
  }
}

/**
 * Runs a linkwork CLI command against a database and returns its standard output.
 * @param {string} db the --db URL
 * @param {string[]} args the command and its flags, without --db
 * @param {string} [stdin] what to pipe in (for --password-stdin)
 */
export function cli (db, args, stdin) {
  checkBinary()
  try {
    return execFileSync(BIN, [...args, '--db', db], { input: stdin ?? '', encoding: 'utf8', stdio: 'pipe' })
  } catch (err) {
    throw new Error(`linkwork ${args.join(' ')} failed: ${err.stderr || err.message}`)
  }
}

/**
 * Starts `linkwork serve` on a fresh SQLite database in a temporary directory, on a free port.
 * prepare(cli) runs before the server starts, to load data with the CLI; serveArgs are
 * more flags for `linkwork serve` (such as ['--measures-every', '1s']).
 * Returns { url, setupURL, db, cli, logs, stop }.
 */
export async function startServer ({ prepare, serveArgs = [] } = {}) {
  checkBinary()
  const dir = mkdtempSync(join(tmpdir(), 'linkwork-e2e-'))
  const db = `sqlite:${join(dir, 'linkwork.db')}`
  const run = (args, stdin) => cli(db, args, stdin)
  if (prepare) await prepare(run)

  const child = spawn(BIN, ['serve', '--db', db, '--addr', '127.0.0.1:0', '--shutdown-wait', '2s', ...serveArgs], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LINKWORK_BASE_URL: '', LINKWORK_SECURE_COOKIES: '' },
  })
  const kill = () => { try { child.kill('SIGKILL') } catch {} }
  process.once('exit', kill)

  let stdout = ''
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s })
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`linkwork did not start within 10s.\nstdout:\n${stdout}\nstderr:\n${stderr}`)), 10_000)
    child.stdout.setEncoding('utf8').on('data', (s) => {
      stdout += s
      if (stdout.includes('Press Ctrl+C to stop.')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`linkwork exited with code ${code} before it was ready.\nstdout:\n${stdout}\nstderr:\n${stderr}`))
    })
  })
  await ready

  const m = stdout.match(/is running at (http:\/\/127\.0\.0\.1:\d+)/)
  assert.ok(m, `no "running at" line in linkwork's output:\n${stdout}`)
  const setup = stdout.match(/(http:\/\/\S+\/setup\?token=\S+)/)

  return {
    url: m[1],
    setupURL: setup ? setup[1] : null,
    db,
    dir,
    cli: run,
    /** What the server has logged so far (stderr), to show when a test fails. */
    logs: () => stderr,
    async stop () {
      process.removeListener('exit', kill)
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        const timer = setTimeout(kill, 5_000)
        await exited
        clearTimeout(timer)
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Adds a place, organisations and users to a database with the CLI. */
export function seed (run, { place, organisations = [], users = [] }) {
  run(['place', 'add', '--name', place])
  for (const o of organisations) run(['org', 'add', '--place', place, '--name', o.name, '--sector', o.sector])
  for (const u of users) {
    run(['user', 'add', '--email', u.email, '--role', u.role, '--org', u.org, '--name', u.name, '--password-stdin'],
      u.password ?? PASSWORD)
  }
}

/** Launches headless Chromium. */
export async function launchBrowser () {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/ensure-chromium.sh (or set CHROMIUM_PATH)`)
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}

const ignoredStatusLog = /^Failed to load resource: the server responded with a status of (\d{3})/

/**
 * A browser context and page on a server, that records every console error, uncaught
 * exception, Content-Security-Policy violation, failed request and server error.
 */
export class Session {
  /**
   * @param {import('playwright-core').Browser} browser
   * @param {{url: string}} server
   * @param {{javaScript?: boolean, name?: string}} [opts]
   */
  static async open (browser, server, { javaScript = true, name = 'session' } = {}) {
    const context = await browser.newContext({ baseURL: server.url, javaScriptEnabled: javaScript })
    // Fail fast: no page here should take long, and a missing element should not cost 30s.
    context.setDefaultTimeout(5_000)
    context.setDefaultNavigationTimeout(10_000)
    if (javaScript) {
      // Chromium logs a CSP violation to the console; this names it as such. (Init scripts
      // are not subject to the page's CSP.)
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || document.location.href}:${e.lineNumber}`)
        })
      })
    }
    return new Session(context, await context.newPage(), server, javaScript, name)
  }

  constructor (context, page, server, javaScript, name) {
    this.context = context
    this.page = page
    this.server = server
    this.javaScript = javaScript
    this.name = name
    this.consoleErrors = [] // { text, url }
    this.issues = [] // problems that are never expected
    this.documents = new Set() // "status URL" of every main-frame document
    this.status = 0 // status of the last main-frame document

    page.on('console', (msg) => {
      if (msg.type() === 'error') this.consoleErrors.push({ text: msg.text(), url: msg.location().url || page.url() })
    })
    page.on('pageerror', (err) => this.issues.push(`uncaught exception on ${page.url()}: ${err.stack || err.message}`))
    page.on('requestfailed', (req) => {
      // Leaving a page aborts what it was still loading (often the favicon): not a fault.
      if (req.failure()?.errorText === 'net::ERR_ABORTED') return
      this.issues.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`)
    })
    page.on('response', (res) => {
      const req = res.request()
      if (req.isNavigationRequest() && res.frame() === page.mainFrame()) {
        this.documents.add(`${res.status()} ${res.url()}`)
        this.status = res.status()
        // Every page must carry the Content-Security-Policy, or "no CSP violations" means little.
        const csp = res.headers()['content-security-policy'] || ''
        if (/text\/html/.test(res.headers()['content-type'] || '') && !/script-src 'self'/.test(csp)) {
          this.issues.push(`no Content-Security-Policy (script-src 'self') on ${req.method()} ${res.url()}: "${csp}"`)
        }
      } else if (res.status() >= 400) {
        this.issues.push(`${res.status()} for ${req.method()} ${res.url()} (a resource of ${page.url()})`)
      }
      if (res.status() >= 500) this.issues.push(`server error ${res.status()} for ${req.method()} ${res.url()}`)
    })
  }

  /** Every problem seen so far. A 4xx page that a test asked for is not a problem. */
  problems () {
    const out = [...this.issues]
    for (const e of this.consoleErrors) {
      const m = e.text.match(ignoredStatusLog)
      if (m && Number(m[1]) < 500 && this.documents.has(`${m[1]} ${e.url}`)) continue
      out.push(`console error on ${e.url}: ${e.text}`)
    }
    return out
  }

  /** Fails if any page had a console error, CSP violation, failed request or server error. */
  assertClean () {
    const p = this.problems()
    assert.deepEqual(p, [], `${this.name}: problems in the browser:\n  ${p.join('\n  ')}`)
  }

  /** Opens a path and returns the response's HTTP status. */
  async goto (path, expectStatus = 200) {
    const res = await this.page.goto(path, { waitUntil: 'load' })
    const status = res ? res.status() : 0
    if (expectStatus !== null) {
      assert.equal(status, expectStatus, `GET ${path}: expected HTTP ${expectStatus}, got ${status} (now at ${this.page.url()}, title "${await this.page.title()}")`)
    }
    return status
  }

  /**
   * Fetches a path with the session's cookies but without rendering it: much quicker than a
   * navigation, for checking status codes and redirects. Returns { status, location, body }.
   */
  async fetch (path) {
    const res = await this.context.request.get(path, { maxRedirects: 0 })
    const status = res.status()
    const location = res.headers().location ?? null
    const body = await res.text()
    await res.dispose()
    return { status, location, body }
  }

  /** Checks with fetch that a path answers 403 with the "cannot see" page. */
  async assertForbiddenQuick (path) {
    const r = await this.fetch(path)
    assert.equal(r.status, 403, `${this.name}: GET ${path} should be 403, got ${r.status}`)
    assert.match(r.body, /<h1[^>]*>You cannot see this page<\/h1>/, `${this.name}: ${path} should show the 403 page`)
  }

  /** Clicks something that submits a form or follows a link, and waits for the next page. */
  async clickAndWait (locator) {
    const navigated = this.page.waitForEvent('framenavigated', { predicate: (f) => f === this.page.mainFrame(), timeout: 10_000 })
    await locator.click()
    await navigated
    await this.page.waitForLoadState('load')
    return this.status
  }

  /** Clicks the button with the given accessible name and waits for the next page. */
  submit (name) {
    return this.clickAndWait(this.page.getByRole('button', { name, exact: true }))
  }

  /** The path (and query) of the current page. */
  path () {
    const u = new URL(this.page.url())
    return u.pathname + u.search
  }

  /** The text of the page's h1. */
  async heading () {
    return (await this.page.locator('main h1').first().textContent()).trim()
  }

  /** The labels of the header's navigation links, in order. */
  async nav () {
    const labels = await this.page.locator('nav[aria-label="Menu"] li.nhsuk-header__navigation-item > a').allTextContents()
    return labels.map((s) => s.trim())
  }

  /** The flash message shown at the top of the page, or "". */
  async flash () {
    const f = this.page.locator('.lw-flash p')
    return (await f.count()) ? (await f.textContent()).trim() : ''
  }

  /** The messages in the NHS.UK error summary, or [] if there is none. */
  async errorSummary () {
    const items = this.page.locator('.nhsuk-error-summary .nhsuk-error-summary__list a')
    return (await items.allTextContents()).map((s) => s.trim())
  }

  /** Fills form fields by id: { email: 'a@b', sector: 'vcse' } (selects are chosen by value). */
  async fill (fields) {
    for (const [id, value] of Object.entries(fields)) {
      const el = this.page.locator(`#${id}`)
      if (await el.evaluate((n) => n.tagName) === 'SELECT') {
        await el.selectOption(String(value))
      } else {
        await el.fill(String(value))
      }
    }
  }

  /** Signs in through the /signin form and returns the status of the page it lands on. */
  async signIn (email, password = PASSWORD) {
    await this.goto('/signin')
    await this.page.locator('#email').fill(email)
    await this.page.locator('#password').fill(password)
    return this.submit('Sign in')
  }

  /** Signs out with the header's button and checks the sign-in page says so. */
  async signOut () {
    await this.clickAndWait(this.page.locator('header').getByRole('button', { name: 'Sign out' }))
    assert.equal(new URL(this.page.url()).pathname, '/signin', 'signing out should lead to /signin')
    assert.equal(await this.flash(), 'You have signed out.')
  }

  /** Checks the current page is the 403 page. */
  async assertForbidden (path) {
    const status = await this.goto(path, null)
    assert.equal(status, 403, `${this.name}: GET ${path} should be 403, got ${status} (at ${this.path()})`)
    assert.equal(await this.heading(), 'You cannot see this page', `${this.name}: ${path} heading`)
    assert.match(await this.page.title(), /^You cannot see this page – linkwork/)
  }

  /**
   * Runs axe-core on the current page and returns a description of its violations, or "" if
   * there are none. It needs JavaScript; the script is evaluated through the DevTools
   * protocol, so the page's Content-Security-Policy neither stops it nor is loosened for it.
   */
  async axe (label = this.path()) {
    assert.ok(this.javaScript, 'axe-core needs a context with JavaScript enabled')
    const loaded = await this.page.evaluate(() => typeof window.axe !== 'undefined')
    if (!loaded) await this.page.evaluate(axeSource)
    const violations = await this.page.evaluate(async (tags) => {
      const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary })),
      }))
    }, AXE_TAGS)
    if (!violations.length) return ''
    await this.screenshot(`axe-${label}`)
    return `${violations.length} accessibility violation(s) on ${label} (${this.path()}):\n` +
      violations.map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n` +
        v.nodes.map((n) => `    - ${n.target}\n      ${n.html}\n      ${(n.summary || '').replace(/\n/g, '\n      ')}`).join('\n')).join('\n')
  }

  /** Runs axe-core on the current page and fails, listing each violation, if there are any. */
  async assertAccessible (label = this.path()) {
    const report = await this.axe(label)
    if (report) assert.fail(report)
  }

  /** Saves a screenshot in e2e/screenshots (ignored by git), for a failing test. */
  async screenshot (label) {
    try {
      mkdirSync(SCREENSHOTS, { recursive: true })
      const file = join(SCREENSHOTS, `${this.name}-${label}`.replace(/[^a-z0-9._-]+/gi, '_').slice(0, 120) + '.png')
      await this.page.screenshot({ path: file, fullPage: true })
      return file
    } catch {
      return null
    }
  }

  async close () {
    await this.context.close()
  }
}

/**
 * Runs fn with a session and, if it throws, saves a screenshot and adds the server's log to
 * the error, so that a failure says what the browser and the server saw.
 */
export async function explain (session, fn) {
  try {
    return await fn()
  } catch (err) {
    const shot = await session.screenshot('failure')
    const lines = session.server.logs().trim().split('\n')
    const notable = lines.filter((l) => !/level=INFO/.test(l)).slice(-10)
    const logs = [...notable, '…', ...lines.slice(-5)].join('\n')
    err.message += `\n(at ${session.page.url()}${shot ? `; screenshot ${shot}` : ''})\nlast server log lines:\n${logs}`
    throw err
  }
}

/**
 * Checks the NHS.UK error summary on a page with form errors: one summary, each link pointing
 * at a field that shows its own error message and, with JavaScript, focus on the summary so
 * that screen readers announce it (the NHS.UK frontend does that for data-module
 * "nhsuk-error-summary").
 */
export async function checkErrorSummary (s) {
  const summary = s.page.locator('.nhsuk-error-summary')
  assert.equal(await summary.count(), 1, 'there should be one error summary')
  assert.equal((await summary.locator('h2').textContent()).trim(), 'There is a problem')
  const hrefs = await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))
  assert.ok(hrefs.length > 0, 'the error summary should link to the fields in error')
  for (const href of hrefs) {
    const id = href.replace(/^#/, '')
    assert.equal(await s.page.locator(`[id="${id}"]`).count(), 1, `error summary link ${href} should point at a field`)
    assert.equal(await s.page.locator(`[id="${id}-error"]`).count(), 1, `field ${id} should show its error message`)
  }
  if (s.javaScript) {
    const focused = await s.page.waitForFunction(() => document.activeElement?.closest('.nhsuk-error-summary') != null,
      null, { timeout: 2000 }).then(() => true, () => false)
    assert.ok(focused, `the error summary should have focus after a failed submit on ${s.path()} (is data-module="nhsuk-error-summary" on it?)`)
  }
}
