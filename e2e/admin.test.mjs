// An administrator's journey: add an organisation and a link worker through the forms; the
// link worker must choose their own password before anything else, then sees only what
// their role allows; the audit trail records all of it.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { NAV, PASSWORD, Session, explain, launchBrowser, seed, startServer } from './harness.mjs'

const PLACE = 'York'
const ADMIN = { role: 'admin', email: 'admin@example.org', name: 'Alex Admin', org: 'City of York Council' }
const ORG = 'York Community Connectors'
const WORKER = { name: 'Lin Worker', email: 'lin.worker@example.org', temporary: 'temporary password 1', own: 'my own good password' }

let server, browser

before(async () => {
  server = await startServer({
    prepare: (run) => seed(run, { place: PLACE, organisations: [{ name: ADMIN.org, sector: 'council' }], users: [ADMIN] }),
  })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

test('an administrator adds an organisation and a link worker, who changes their password', async () => {
  const admin = await Session.open(browser, server, { name: 'admin' })
  let orgPath, userPath
  await explain(admin, async () => {
    assert.equal(await admin.signIn(ADMIN.email), 200)

    // Add an organisation through the form, from the list's button.
    await admin.clickAndWait(admin.page.locator('nav[aria-label="Menu"]').getByRole('link', { name: 'Organisations', exact: true }))
    await admin.clickAndWait(admin.page.getByRole('link', { name: 'Add an organisation' }))
    assert.equal(admin.path(), '/organisations/new')
    assert.equal(await admin.heading(), 'Add an organisation')
    await admin.fill({ name: ORG, sector: 'vcse' })
    assert.equal(await admin.submit('Add organisation'), 200)
    assert.match(admin.path(), /^\/organisations\/\d+$/)
    orgPath = admin.path()
    assert.equal(await admin.flash(), 'The organisation has been added.')
    assert.equal(await admin.heading(), ORG)
    assert.match(await admin.page.locator('.nhsuk-summary-list').textContent(), /Sector\s*(VCSE|Voluntary)/i)
    assert.equal(await admin.page.getByText('Nobody from this organisation uses linkwork yet.').count(), 1)

    // The same name again is refused.
    await admin.goto('/organisations/new')
    await admin.fill({ name: ORG, sector: 'vcse' })
    assert.equal(await admin.submit('Add organisation'), 422)
    assert.equal((await admin.errorSummary()).length, 1, 'a duplicate organisation name is one error')

    // Add a link worker to it, from the organisation's page, through /users/new.
    await admin.goto(orgPath)
    await admin.clickAndWait(admin.page.getByRole('link', { name: `Add a user to ${ORG}` }))
    assert.equal(new URL(admin.page.url()).pathname, '/users/new')
    assert.equal(await admin.page.locator('#organisation_id option:checked').textContent(), ORG, 'the organisation is chosen already')
    await admin.fill({ name: WORKER.name, email: WORKER.email, role: 'link_worker', password: WORKER.temporary })
    assert.equal(await admin.submit('Add user'), 200)
    assert.match(admin.path(), /^\/users\/\d+$/)
    userPath = admin.path()
    assert.match(await admin.flash(), /^The user has been added\./)
    assert.equal(await admin.heading(), WORKER.name)
    assert.equal((await admin.page.locator('.nhsuk-tag').textContent()).trim(), 'Must choose a password')
    const row = admin.page.locator('table.nhsuk-table tbody tr')
    assert.equal(await row.count(), 1)
    assert.match(await row.textContent(), new RegExp(`${ORG}\\s*Link worker`, 'i'))

    // The organisation now lists them.
    await admin.goto(orgPath)
    assert.equal(await admin.page.getByRole('link', { name: WORKER.name }).count(), 1)
    await admin.signOut()
    admin.assertClean()
  })
  await admin.close()

  const worker = await Session.open(browser, server, { name: 'link_worker' })
  await explain(worker, async () => {
    // First sign-in with the temporary password leads to the account page with a warning.
    assert.equal(await worker.signIn(WORKER.email, WORKER.temporary), 200)
    assert.equal(worker.path(), '/account')
    const warning = worker.page.locator('.nhsuk-warning-callout')
    assert.equal(await warning.count(), 1, 'a warning asks for a new password')
    assert.match(await warning.textContent(), /Choose your own password before you go on/)

    // Nothing else opens until the password is changed.
    for (const path of ['/', '/organisations', '/account/tokens']) {
      await worker.goto(path)
      assert.equal(worker.path(), '/account', `${path} should lead back to /account while the password must change`)
    }

    // A mistake first: the new passwords differ.
    await worker.fill({ current_password: WORKER.temporary, password: WORKER.own, confirm_password: WORKER.own + 'x' })
    assert.equal(await worker.submit('Change password'), 422)
    assert.deepEqual(await worker.errorSummary(), ['The new passwords do not match.'])

    await worker.fill({ current_password: WORKER.temporary, password: WORKER.own, confirm_password: WORKER.own })
    assert.equal(await worker.submit('Change password'), 200)
    assert.equal(worker.path(), '/account')
    assert.equal(await worker.flash(), 'Your password has been changed. Your other sessions have been signed out.')
    assert.equal(await worker.page.locator('.nhsuk-warning-callout').count(), 0, 'the warning has gone')

    // Now the role's pages, and only those.
    await worker.goto('/')
    assert.deepEqual(await worker.nav(), NAV.link_worker)
    await worker.goto('/organisations')
    assert.equal(await worker.page.getByRole('link', { name: ORG }).count(), 1)
    assert.equal(await worker.page.getByRole('link', { name: 'Add an organisation' }).count(), 0)
    await worker.goto(orgPath)
    assert.equal(await worker.page.getByRole('heading', { name: 'People' }).count(), 0, 'a link worker does not see who works where')
    await worker.assertForbidden('/users')
    for (const path of ['/audit', '/organisations/new', '/users/new', userPath, `${orgPath}/edit`]) {
      await worker.assertForbiddenQuick(path)
    }
    await worker.signOut()

    // The temporary password no longer works; the new one does.
    await worker.fill({ email: WORKER.email, password: WORKER.temporary })
    assert.equal(await worker.submit('Sign in'), 401)
    assert.equal(await worker.signIn(WORKER.email, WORKER.own), 200)
    assert.equal(worker.path(), '/')
    worker.assertClean()
  })
  await worker.close()

  const again = await Session.open(browser, server, { name: 'admin-audit' })
  await explain(again, async () => {
    assert.equal(await again.signIn(ADMIN.email), 200)
    await again.goto(userPath)
    assert.equal((await again.page.locator('.nhsuk-tag').textContent()).trim(), 'Active')

    await again.goto('/audit')
    assert.equal(await again.heading(), 'Audit trail')
    const actions = (await again.page.locator('table.lw-audit tbody td:nth-child(3)').allTextContents()).map((t) => t.trim())
    for (const a of ['organisation.create', 'user.create', 'session.sign_in', 'session.sign_in_failed', 'password.change', 'session.sign_out']) {
      assert.ok(actions.includes(a), `the audit trail should list ${a}; it lists ${[...new Set(actions)].join(', ')}`)
    }

    // Filtering by action shows the link worker's password change, done by them.
    await again.fill({ action: 'password.change' })
    await again.submit('Filter')
    assert.equal(new URL(again.page.url()).searchParams.get('action'), 'password.change')
    const rows = again.page.locator('table.lw-audit tbody tr')
    assert.equal(await rows.count(), 1)
    assert.match(await rows.first().textContent(), new RegExp(WORKER.email.replace(/\./g, '\\.') + '|' + WORKER.name))
    again.assertClean()
  })
  await again.close()
})
