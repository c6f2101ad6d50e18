// linkwork works without JavaScript: with scripts switched off in the browser, an
// administrator signs in, sees a form's errors, adds an organisation and signs out.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { NAV, Session, checkErrorSummary, explain, launchBrowser, seed, startServer } from './harness.mjs'

const ADMIN = { role: 'admin', email: 'admin@example.org', name: 'Noor Admin', org: 'Kirklees Council' }

let server, browser

before(async () => {
  server = await startServer({
    prepare: (run) => seed(run, { place: 'Kirklees', organisations: [{ name: ADMIN.org, sector: 'council' }], users: [ADMIN] }),
  })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

test('without JavaScript an administrator signs in and adds an organisation', async () => {
  const s = await Session.open(browser, server, { javaScript: false, name: 'nojs' })
  await explain(s, async () => {
    // Asking for a page signed out leads to the sign-in form and back.
    await s.goto('/organisations/new')
    assert.equal(s.path(), '/signin?next=%2Forganisations%2Fnew')
    assert.equal(await s.page.evaluate(() => document.body.classList.contains('js-enabled')), false,
      'scripts should not have run')
    await s.fill({ email: ADMIN.email, password: 'correct horse battery staple' })
    assert.equal(await s.submit('Sign in'), 200)
    assert.equal(s.path(), '/organisations/new')
    assert.deepEqual(await s.nav(), NAV.admin, 'the navigation is all there without JavaScript')

    // Errors are shown by the server.
    assert.equal(await s.submit('Add organisation'), 422)
    assert.ok((await s.errorSummary()).length >= 1, 'an empty form shows the error summary')
    await checkErrorSummary(s)

    await s.fill({ name: 'Huddersfield Mission', sector: 'faith' })
    assert.equal(await s.submit('Add organisation'), 200)
    assert.match(s.path(), /^\/organisations\/\d+$/)
    assert.equal(await s.flash(), 'The organisation has been added.')
    assert.equal(await s.heading(), 'Huddersfield Mission')

    // Changing it works too.
    await s.clickAndWait(s.page.getByRole('link', { name: 'Change details' }))
    await s.fill({ name: 'Huddersfield Mission Centre' })
    assert.equal(await s.submit('Save changes'), 200)
    assert.equal(await s.flash(), 'The organisation has been updated.')
    assert.equal(await s.heading(), 'Huddersfield Mission Centre')

    // The list shows it, and the sector filter works as a plain form.
    await s.goto('/organisations')
    await s.fill({ sector: 'faith' })
    await s.submit('Filter')
    assert.equal(s.path(), '/organisations?sector=faith')
    const names = (await s.page.locator('table.nhsuk-table tbody td:first-child').allTextContents()).map((t) => t.trim())
    assert.deepEqual(names, ['Huddersfield Mission Centre'])

    await s.signOut()
    s.assertClean()
  })
  await s.close()
})
