/* LTI Dynamic Registration: tell the LMS page that opened us that registration is done. */
(window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
