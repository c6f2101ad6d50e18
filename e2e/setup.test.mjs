// First run: on an empty database linkwork prints a one-time setup link; opening it in a
// browser creates the place, the first organisation and the first administrator.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { NAV, PASSWORD, Session, checkErrorSummary, explain, launchBrowser, startServer } from './harness.mjs'

let server, browser, setupPath

before(async () => {
  server = await startServer()
  browser = await launchBrowser()
  assert.ok(server.setupURL, 'an empty database should make linkwork print a /setup?token= link')
  const u = new URL(server.setupURL)
  setupPath = u.pathname + u.search
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

const admin = {
  place_name: 'Calderdale',
  organisation_name: 'Calderdale Council',
  sector: 'council',
  name: 'Ada Admin',
  email: 'ada@example.org',
  password: PASSWORD,
  confirm_password: PASSWORD,
}

test('invalid setup input shows the NHS.UK error summary and keeps what was typed', async () => {
  const s = await Session.open(browser, server, { name: 'setup-invalid' })
  await explain(s, async () => {
    await s.goto(setupPath)
    assert.equal(await s.heading(), 'Set up linkwork')
    assert.equal(await s.page.title(), 'Set up linkwork – linkwork')
    await s.assertAccessible('setup')

    // Nothing filled in. (linkwork reports the first missing field, not all of them.)
    assert.equal(await s.submit('Set up linkwork'), 422)
    const empty = await s.errorSummary()
    assert.ok(empty.length >= 1, `an empty setup form should show errors, got ${JSON.stringify(empty)}`)
    assert.equal(empty[0], 'Enter the name of the place.')
    assert.match(await s.page.title(), /^Error: Set up linkwork/)
    await s.assertAccessible('setup with errors')
    await checkErrorSummary(s)

    // Everything filled in but the passwords differ.
    await s.fill({ ...admin, confirm_password: PASSWORD + ' typo' })
    assert.equal(await s.submit('Set up linkwork'), 422)
    assert.deepEqual(await s.errorSummary(), ['The passwords do not match.'])
    assert.ok(await s.page.locator('#confirm_password-error').isVisible(), 'the confirm field shows its error')
    // What was typed is kept, except the passwords.
    assert.equal(await s.page.locator('#place_name').inputValue(), 'Calderdale')
    assert.equal(await s.page.locator('#sector').inputValue(), 'council')
    assert.equal(await s.page.locator('#email').inputValue(), 'ada@example.org')
    assert.equal(await s.page.locator('#password').inputValue(), '')
    await checkErrorSummary(s)

    // A password that is too short.
    await s.fill({ password: 'short', confirm_password: 'short' })
    assert.equal(await s.submit('Set up linkwork'), 422)
    const short = await s.errorSummary()
    assert.equal(short.length, 1, `a short password should give one error, got ${JSON.stringify(short)}`)
    await checkErrorSummary(s)
    s.assertClean()
  })
  await s.close()
})

test('the setup link creates the first administrator and signs them in', async () => {
  const s = await Session.open(browser, server, { name: 'setup' })
  await explain(s, async () => {
    await s.goto(setupPath)
    await s.fill(admin)
    assert.equal(await s.submit('Set up linkwork'), 200)
    assert.equal(s.path(), '/')
    assert.equal(await s.flash(), 'linkwork is set up. You are signed in as its first administrator.')
    assert.equal(await s.heading(), 'Calderdale')
    assert.match(await s.page.locator('.nhsuk-lede-text').textContent(), /^Signed in as Ada Admin, .+ at Calderdale Council\.$/)
    assert.deepEqual(await s.nav(), NAV.admin)
    assert.equal(await s.page.title(), 'Home – linkwork – Calderdale')
    await s.assertAccessible('home after setup')

    // The link works once.
    await s.goto(setupPath, 404)
    assert.equal(await s.heading(), 'This link cannot be used')
    await s.assertAccessible('used setup link')
    s.assertClean()
  })
  await s.close()
})

test('the first administrator can sign out and sign in again', async () => {
  const s = await Session.open(browser, server, { name: 'setup-signin' })
  await explain(s, async () => {
    assert.equal(await s.signIn('ada@example.org'), 200)
    assert.equal(s.path(), '/')
    await s.signOut()
    // Signed out, the home page is the public landing page, with the way to sign in.
    await s.goto('/')
    assert.equal(s.path(), '/')
    assert.equal(await s.heading(), 'Find support in Calderdale')
    await s.clickAndWait(s.page.locator('header').getByRole('link', { name: 'Sign in' }))
    assert.equal(s.path(), '/signin')
    s.assertClean()
  })
  await s.close()
})
