// The scoping sheet: an administrator downloads the template, uploads a sheet with a
// problem and reads it in the table, fixes it, and the form's own error (no file) shows in
// the error summary. axe-core checks each page. (The file input is the browser's own: the
// NHS.UK frontend's JavaScript file upload gives its button an accessible name that axe-core
// finds does not include its visible text.)

import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Session, checkErrorSummary, explain, launchBrowser, seed, startServer } from './harness.mjs'

let server, browser

before(async () => {
  server = await startServer({
    prepare: (run) => seed(run, {
      place: 'Calderdale',
      organisations: [{ name: 'Calder PCN', sector: 'nhs' }],
      users: [{ email: 'admin@example.org', role: 'admin', org: 'Calder PCN', name: 'Ada Admin' }],
    }),
  })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

test('an administrator scopes the place with a spreadsheet', async () => {
  const s = await Session.open(browser, server, { name: 'scoping' })
  await explain(s, async () => {
    await s.signIn('admin@example.org')
    await s.goto('/services')
    await s.clickAndWait(s.page.getByRole('link', { name: 'Scope organisations and connector schemes in a spreadsheet' }))
    assert.equal(s.path(), '/directory/scoping')
    await s.assertAccessible('scoping')

    const [download] = await Promise.all([s.page.waitForEvent('download'),
      s.page.getByRole('link', { name: 'The scoping template as an Excel workbook (.xlsx)' }).click()])
    assert.equal(download.suggestedFilename(), 'calderdale-scoping-template.xlsx')

    // No file: the error summary links to the file input.
    await s.submit('Upload and import')
    assert.equal(s.status, 422)
    await checkErrorSummary(s)
    await s.assertAccessible('scoping with an error')

    // A sheet with a problem: the good row is imported, the bad one listed.
    const file = join(server.dir, 'scoping.csv')
    writeFileSync(file, 'Organisation name,Sector,Scheme name,Scheme model,Who can refer\n' +
      'Calder PCN,,Social prescribing,Primary care network social prescribing link worker,GP practice\n' +
      'Halifax Housing,Housing,Tenancy connectors,Wizard,Housing\n')
    await s.page.setInputFiles('#file', file)
    await s.submit('Upload and import')
    assert.equal(s.status, 200)
    const problems = await s.page.locator('#problems tbody tr').allTextContents()
    assert.equal(problems.length, 1, `one problem: ${problems}`)
    assert.match(problems[0], /3\s*Scheme model\s*"Wizard" is not a scheme model/)
    await s.assertAccessible('scoping result')
  })
  s.assertClean()
  await s.close()
})
