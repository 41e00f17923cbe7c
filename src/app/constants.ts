/** Names of everything the app keeps on the device, in one place. */
export const DB_NAME = 'dangjian-yun'
export const META_KEYS = {
  me: 'me',
  pendingLogout: 'pendingLogout',
  /** Whose rows the synced tables hold; another user signing in clears them first. */
  syncUser: 'syncUser',
  cursor: 'syncCursor',
  lastSyncedAt: 'lastSyncedAt',
  clientIdPrefix: 'clientId:',
} as const
export const SYNC_LOCK = 'djy-sync'
export const BACKGROUND_SYNC_TAG = 'djy-sync'
export const MEDIA_CACHE = 'djy-media'
/** 朋友圈 photos seen on this device; private to the signed-in member, cleared when they sign out. */
export const PHOTO_CACHE = 'djy-photos'
