/** Names of everything the app keeps on the device, in one place. */
export const DB_NAME = 'dangjian-yun'
export const META_KEYS = {
  me: 'me',
  persistRequested: 'persistRequested',
} as const
export const MEDIA_CACHE = 'djy-media'
