export const APP_NAME = '智慧党建云'
export const APP_SHORT_NAME = '党建云'
export const TOWN_NAME = '新杭镇'
/** The party red, used for the manifest theme and the app's primary colour. */
export const THEME_COLOR = '#c8102e'
