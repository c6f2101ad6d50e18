// Accessibility: axe-core (WCAG 2.0, 2.1 and 2.2 A and AA) on every page, as the first
// administrator made through /setup, on the anonymous pages, on forms showing their errors,
// and on the 403 and 404 pages. Every page is also checked for console errors and CSP
// violations. All violations are listed together at the end, page by page.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { PASSWORD, Session, checkErrorSummary, explain, launchBrowser, startServer } from './harness.mjs'

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
  let resetURL, servicePath

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

    // The directory: the list, the choice of kind with and without errors, a community
    // offer's form with errors (in the rows of its lists too), the entry it makes, the form
    // to change it, a connector scheme's form, the entries to check and the taxonomies.
    await admin.goto('/services')
    await check(admin, 'directory (empty)')
    await admin.goto('/services/new')
    await check(admin, 'what are you adding')
    await admin.submit('Continue')
    await check(admin, 'what are you adding with errors', { status: 422 })
    await admin.page.locator('[id="kind"]').check()
    await admin.submit('Continue')
    assert.equal(admin.path(), '/services/new?step=kind&kind=activity')
    await check(admin, 'add a community offer')
    await fillByID(admin, {
      name: 'Walk and Talk',
      organisation_id: await optionValue(admin, '[id="organisation_id"]', 'Leeds Older People’s Forum'),
      'schedules[1].opens_at': '14:00',
      'schedules[1].closes_at': '13:00',
      'locations[0].name': 'People’s Park',
      'locations[0].address_1': 'King Cross Road',
      'locations[0].town': 'Halifax',
      'locations[0].postcode': 'not a postcode',
    })
    await admin.page.locator('[id="schedules[1].days-2"]').check()
    await admin.submit('Add to the directory')
    await check(admin, 'add a community offer with errors', { status: 422 })
    await checkErrorSummary(admin)
    const problems = await admin.errorSummary()
    assert.ok(problems.includes('Time 2: The end time must be after the start time.'), `errors: ${JSON.stringify(problems)}`)
    assert.equal(await admin.page.locator('[id="locations[0].name"]').inputValue(), 'People’s Park', 'typed values are kept')
    assert.ok(await admin.page.locator('[id="schedules[1].days-2"]').isChecked(), 'ticked days are kept')
    await fillByID(admin, { description: 'A gentle walk round the park, then tea.', 'schedules[1].closes_at': '15:00', 'locations[0].postcode': 'hx1 1aa' })
    await admin.submit('Add to the directory')
    assert.match(admin.path(), /^\/directory\/services\/\d+$/)
    servicePath = admin.path()
    await check(admin, 'service page (just added, with a flash message)')
    // Printed, the page leaves out the navigation and the buttons.
    await admin.page.emulateMedia({ media: 'print' })
    assert.equal(await admin.page.locator('nav[aria-label="Menu"]').isVisible(), false, 'no navigation in print')
    assert.equal(await admin.page.getByRole('link', { name: 'Change this entry' }).isVisible(), false, 'no buttons in print')
    assert.equal(await admin.page.getByRole('heading', { name: 'Walk and Talk' }).isVisible(), true)
    await admin.page.emulateMedia({ media: 'screen' })
    await admin.clickAndWait(admin.page.getByRole('link', { name: 'Change this entry' }))
    await check(admin, 'change a community offer')
    await admin.goto('/services/new?kind=connector_scheme')
    await check(admin, 'add a connector scheme')
    await admin.submit('Add to the directory')
    await check(admin, 'add a connector scheme with errors', { status: 422 })
    await checkErrorSummary(admin)
    await admin.goto('/services?tab=verify')
    await check(admin, 'directory entries to check')
    await admin.goto('/services')
    await check(admin, 'directory')
    // The directory search, signed in: with results, and with errors.
    await admin.goto('/directory')
    await check(admin, 'directory search (signed in)')
    assert.deepEqual(await admin.page.locator('.lw-result__name').allTextContents(), ['Walk and Talk'])
    await admin.goto('/directory?q=walk&age=200&time=noon', 422)
    await check(admin, 'directory search with errors (signed in)', { status: 422 })
    await checkErrorSummary(admin)
    await admin.goto('/taxonomies')
    await check(admin, 'taxonomies')
    await admin.page.getByText('Add a term to Needs').click()
    await admin.submit('Add term to Needs')
    await check(admin, 'taxonomies with errors', { status: 422 })
    await checkErrorSummary(admin)

    // The directory of link workers: one's own entry with errors, then the entry, the list
    // and a manager's form.
    await admin.goto('/practitioners')
    await check(admin, 'directory of link workers (empty)')
    await admin.goto('/practitioners/me')
    await check(admin, 'your entry in the directory of link workers')
    await fillByID(admin, { name: '', email: 'not an email' })
    await admin.submit('Add my entry')
    await check(admin, 'your entry with errors', { status: 422 })
    await checkErrorSummary(admin)
    await fillByID(admin, { name: 'Ada Admin', email: 'ada@example.org', specialisms: 'Carers\nYoung people', neighbourhoods: 'Armley' })
    await admin.submit('Add my entry')
    assert.match(admin.path(), /^\/practitioners\/\d+$/)
    await check(admin, 'entry in the directory of link workers')
    await admin.goto('/practitioners')
    await check(admin, 'directory of link workers')
    await admin.goto('/practitioners?q=carers')
    await check(admin, 'directory of link workers searched')
    await admin.goto('/practitioners/new')
    await check(admin, 'add a link worker')

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

    // The public page of a service, signed out.
    await anon.goto(servicePath)
    await check(anon, 'public service page')
    assert.deepEqual(await anon.nav(), ['Find support'], 'only the public navigation')

    // The public landing page and the directory search, with results and with errors.
    await anon.goto('/')
    await check(anon, 'public landing page')
    await anon.fill({ q: 'walk' })
    await anon.submit('Search the directory')
    assert.equal(anon.path(), '/directory?q=walk')
    await check(anon, 'directory search (public)')
    assert.deepEqual(await anon.page.locator('.lw-result__name').allTextContents(), ['Walk and Talk'])
    await anon.goto('/directory?age=old&day=9', 422)
    await check(anon, 'directory search with errors (public)', { status: 422 })
    await checkErrorSummary(anon)

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

/** Fills form fields by id, for ids that are not CSS identifiers ("schedules[1].opens_at"). */
async function fillByID (s, fields) {
  for (const [id, value] of Object.entries(fields)) {
    const el = s.page.locator(`[id="${id}"]`)
    if (await el.evaluate((n) => n.tagName) === 'SELECT') await el.selectOption(String(value))
    else await el.fill(String(value))
  }
}

/** The value of the option of a select whose text is label. */
async function optionValue (s, select, label) {
  return s.page.locator(`${select} option`, { hasText: label }).first().getAttribute('value')
}
