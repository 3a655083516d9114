export * from './directory';
export { openDirectory, DEFAULT_SQLITE_PATH, type DirectoryConfig } from './open-directory';
export { CsvImportRefused, importContactsCsv, type CsvImportOptions, type CsvImportResult, type CsvRowProblem } from './csv-import';
export { DEFAULT_PROJECT_SETTINGS } from './projects';
export { openRateLimitSlots } from './rate-limit-slots';
