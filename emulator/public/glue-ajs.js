/*
 * What a product page does before it loads Atlassian's connect-host.js: the library takes jQuery
 * from window.AJS.$ when it loads (src/host/dollar.js in atlassian-connect-js).
 */
window.AJS = window.AJS || {};
window.AJS.$ = window.jQuery;
