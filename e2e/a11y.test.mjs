// Accessibility: axe-core (WCAG 2.0, 2.1 and 2.2 A and AA) on every page, as the first
// administrator made through /setup, on the anonymous pages, on forms showing their errors,
// and on the 403 and 404 pages. Every page is also checked for console errors and CSP
// violations. All violations are listed together at the end, page by page.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { PASSWORD, Session, explain, launchBrowser, startServer } from './harness.mjs'

let server, browser
const reports = []

before(async () => {
  server = await startServer()
  browser = await launchBrowser()
  assert.ok(server.setupURL, 'an empty database should make linkwork print a /setup?token= link')
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

/** Runs axe on the page and keeps any violations for the end of the test. */
async function check (s, label, { status = 200 } = {}) {
  assert.equal(s.status, status, `${label}: expected HTTP ${status}, got ${s.status} at ${s.path()}`)
  const report = await s.axe(label)
  if (report) reports.push(report)
}

test('every page passes axe-core, with no console errors or CSP violations', async () => {
  const anon = await Session.open(browser, server, { name: 'a11y-anon' })
  const admin = await Session.open(browser, server, { name: 'a11y-admin' })
  let resetURL

  await explain(admin, async () => {
    // Anonymous: the sign-in page, with and without errors.
    await anon.goto('/signin')
    await check(anon, 'sign in')
    await anon.submit('Sign in')
    await check(anon, 'sign in with errors', { status: 422 })

    // First run: the setup page, with errors, then the administrator it makes.
    const u = new URL(server.setupURL)
    await admin.goto(u.pathname + u.search)
    await check(admin, 'setup')
    await admin.fill({ place_name: 'Leeds', organisation_name: 'Leeds City Council', sector: 'council', name: 'Ada Admin',
      email: 'ada@example.org', password: PASSWORD, confirm_password: 'something else' })
    await admin.submit('Set up linkwork')
    await check(admin, 'setup with errors', { status: 422 })
    await admin.fill({ password: PASSWORD, confirm_password: PASSWORD })
    await admin.submit('Set up linkwork')
    assert.equal(admin.path(), '/')
    await check(admin, 'home (with a flash message)')

    await admin.goto('/')
    await check(admin, 'home')

    // Your account, its password form with errors, and API tokens.
    await admin.goto('/account')
    await check(admin, 'account')
    await admin.fill({ current_password: 'not my password', password: 'a new password 1', confirm_password: 'a new password 1' })
    await admin.submit('Change password')
    await check(admin, 'account with errors', { status: 422 })
    await admin.goto('/account/tokens')
    await check(admin, 'API tokens (none)')
    await admin.submit('Create token')
    await check(admin, 'API tokens with errors', { status: 422 })
    await admin.fill({ name: 'weekly report' })
    await admin.submit('Create token')
    assert.equal(await admin.page.locator('#new-token').count(), 1, 'the new token is shown')
    await check(admin, 'API tokens (new token shown)')

    // Organisations.
    await admin.goto('/organisations')
    await check(admin, 'organisations')
    await admin.goto('/organisations/new')
    await check(admin, 'add an organisation')
    await admin.submit('Add organisation')
    await check(admin, 'add an organisation with errors', { status: 422 })
    await admin.fill({ name: 'Leeds Older People’s Forum', sector: 'vcse' })
    await admin.submit('Add organisation')
    assert.match(admin.path(), /^\/organisations\/\d+$/)
    const orgPath = admin.path()
    await check(admin, 'organisation (just added, with a flash message)')
    await admin.goto(`${orgPath}/edit`)
    await check(admin, 'change an organisation')
    await admin.goto('/organisations?sector=vcse')
    await check(admin, 'organisations filtered by sector')

    // Users.
    await admin.goto('/users/new')
    await check(admin, 'add a user')
    await admin.submit('Add user')
    await check(admin, 'add a user with errors', { status: 422 })
    await admin.fill({ name: 'Lee Worker', email: 'lee@example.org', organisation_id: await optionValue(admin, '#organisation_id', 'Leeds Older People’s Forum'),
      role: 'link_worker', password: 'temporary password 1' })
    await admin.submit('Add user')
    assert.match(admin.path(), /^\/users\/\d+$/)
    await check(admin, 'user (just added)')
    await admin.submit('Make a password link')
    resetURL = (await admin.page.locator('#reset-link').textContent()).trim()
    await check(admin, 'user with a password link')
    await admin.goto('/users')
    await check(admin, 'users')
    await admin.goto(orgPath)
    await check(admin, 'organisation with people')

    // The audit trail, and its filter with errors.
    await admin.goto('/audit')
    await check(admin, 'audit trail')
    await admin.goto('/audit?from=yesterday&actor=nobody@example.org', 422)
    await check(admin, 'audit trail with errors', { status: 422 })

    // Not found.
    await admin.goto('/no-such-page', 404)
    await check(admin, 'page not found', { status: 404 })
    await admin.goto('/organisations/999999', 404)
    await check(admin, 'organisation not found', { status: 404 })

    // A small screen (WCAG reflow: 320 CSS pixels wide), where the header collapses.
    await admin.page.setViewportSize({ width: 320, height: 640 })
    await admin.goto('/')
    await check(admin, 'home at 320px wide')
    await admin.goto('/audit')
    await check(admin, 'audit trail at 320px wide')
    admin.assertClean()
  })

  await explain(anon, async () => {
    // The password link, with errors, then the sign-in page it leads to.
    const r = new URL(resetURL)
    await anon.goto(r.pathname + r.search)
    await check(anon, 'choose a new password')
    await anon.fill({ password: 'my own good password', confirm_password: 'my own good passwerd' })
    await anon.submit('Set password')
    await check(anon, 'choose a new password with errors', { status: 422 })
    await anon.fill({ password: 'my own good password', confirm_password: 'my own good password' })
    await anon.submit('Set password')
    assert.equal(anon.path(), '/signin')
    await check(anon, 'sign in after a new password')
    await anon.goto(r.pathname + r.search, 404)
    await check(anon, 'used password link', { status: 404 })

    // Signed in as the link worker: the 403 page.
    assert.equal(await anon.signIn('lee@example.org', 'my own good password'), 200)
    assert.equal(anon.path(), '/')
    await anon.goto('/audit', 403)
    await check(anon, 'forbidden', { status: 403 })
    anon.assertClean()
  })
  await anon.close()
  await admin.close()

  assert.equal(reports.length, 0, `axe-core found violations on ${reports.length} page(s):\n\n${reports.join('\n\n')}`)
})

/** The value of the option of a select whose text is label. */
async function optionValue (s, select, label) {
  return s.page.locator(`${select} option`, { hasText: label }).first().getAttribute('value')
}
