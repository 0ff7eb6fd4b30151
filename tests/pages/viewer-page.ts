import { expect, type Locator, type Page } from '@playwright/test'
import { PNG } from 'pngjs'

export class ViewerPage {
  readonly main: Locator

  constructor(private readonly page: Page) {
    this.main = page.getByTestId('viewport-main')
  }

  async goto() {
    await this.page.goto('/viewer')
    await expect(this.page.getByTestId('viewer')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 })
  }

  async openFiles(paths: string[]) {
    await this.page.getByTestId('dicom-file-input').setInputFiles(paths)
  }

  async waitForSeriesLoaded(total: number) {
    await expect(this.main).toHaveAttribute('data-loaded-slices', String(total), { timeout: 90_000 })
    await expect(this.main).toHaveAttribute('data-total-slices', String(total))
  }

  /** A PNG screenshot of a viewport and the share of its pixels that are not near-black. */
  async capture(testId = 'viewport-main'): Promise<{ png: PNG; litFraction: number }> {
    const png = PNG.sync.read(await this.page.getByTestId(testId).screenshot())
    let lit = 0
    for (let i = 0; i < png.data.length; i += 4) {
      if (png.data[i]! + png.data[i + 1]! + png.data[i + 2]! > 30) lit += 1
    }
    return { png, litFraction: lit / (png.width * png.height) }
  }

  async selectTool(tool: string) {
    await this.page.getByTestId(`tool-${tool}`).click()
  }
}

/** Mean absolute difference of two same-sized screenshots, 0–255. */
export function meanDifference(a: PNG, b: PNG): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('screenshots differ in size')
  let sum = 0
  for (let i = 0; i < a.data.length; i += 4) {
    sum += Math.abs(a.data[i]! - b.data[i]!) + Math.abs(a.data[i + 1]! - b.data[i + 1]!) + Math.abs(a.data[i + 2]! - b.data[i + 2]!)
  }
  return sum / ((a.data.length / 4) * 3)
}
