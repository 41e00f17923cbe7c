// Dexie finds IndexedDB on the global object when it is first imported, so this must load before any test file.
import 'fake-indexeddb/auto'
