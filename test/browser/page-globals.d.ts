// Globals of the Node-RED editor page, used in the functions the editor tests run there (page.evaluate).
declare const RED: any;
declare const $: any;
