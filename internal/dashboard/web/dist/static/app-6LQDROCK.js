var ye,P,et,$o,K,Xe,tt,ot,Ne,fe,se,nt,Re,je,De,mo,ge={},ve=[],fo=/acit|ex(?:s|g|n|p|$)|rph|grid|ows|mnc|ntw|ine[ch]|zoo|^ord|itera/i,ke=Array.isArray;function H(e,t){for(var o in t)e[o]=t[o];return e}function Fe(e){e&&e.parentNode&&e.parentNode.removeChild(e)}function Ue(e,t,o){var r,n,a,s={};for(a in t)a=="key"?r=t[a]:a=="ref"?n=t[a]:s[a]=t[a];if(arguments.length>2&&(s.children=arguments.length>3?ye.call(arguments,2):o),typeof e=="function"&&e.defaultProps!=null)for(a in e.defaultProps)s[a]===void 0&&(s[a]=e.defaultProps[a]);return be(e,s,r,n,null)}function be(e,t,o,r,n){var a={type:e,props:t,key:o,ref:r,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:n??++et,__i:-1,__u:0};return n==null&&P.vnode!=null&&P.vnode(a),a}function we(e){return e.children}function _e(e,t){this.props=e,this.context=t}function Q(e,t){if(t==null)return e.__?Q(e.__,e.__i+1):null;for(var o;t<e.__k.length;t++)if((o=e.__k[t])!=null&&o.__e!=null)return o.__e;return typeof e.type=="function"?Q(e):null}function bo(e){if(e.__P&&e.__d){var t=e.__v,o=t.__e,r=[],n=[],a=H({},t);a.__v=t.__v+1,P.vnode&&P.vnode(a),Te(e.__P,a,t,e.__n,e.__P.namespaceURI,32&t.__u?[o]:null,r,o??Q(t),!!(32&t.__u),n),a.__v=t.__v,a.__.__k[a.__i]=a,it(r,a,n),t.__e=t.__=null,a.__e!=o&&at(a)}}function at(e){if((e=e.__)!=null&&e.__c!=null)return e.__e=e.__c.base=null,e.__k.some(function(t){if(t!=null&&t.__e!=null)return e.__e=e.__c.base=t.__e}),at(e)}function Qe(e){(!e.__d&&(e.__d=!0)&&K.push(e)&&!he.__r++||Xe!=P.debounceRendering)&&((Xe=P.debounceRendering)||tt)(he)}function he(){try{for(var e,t=1;K.length;)K.length>t&&K.sort(ot),e=K.shift(),t=K.length,bo(e)}finally{K.length=he.__r=0}}function rt(e,t,o,r,n,a,s,i,l,u,d){var $,c,f,v,I,h,k=r&&r.__k||ve,E=t.length;for(l=_o(o,t,k,l,E),$=0;$<E;$++)(f=o.__k[$])!=null&&(c=f.__i!=-1&&k[f.__i]||ge,f.__i=$,h=Te(e,f,c,n,a,s,i,l,u,d),v=f.__e,f.ref&&c.ref!=f.ref&&(c.ref&&Le(c.ref,null,f),d.push(f.ref,f.__c||v,f)),I==null&&v!=null&&(I=v),4&f.__u?(l=st(f,l,e),c.__e&&(c.__e=null)):typeof f.type=="function"&&h!==void 0?l=h:v&&(l=v.nextSibling),f.__u&=-7);return o.__e=I,l}function _o(e,t,o,r,n){var a,s,i,l,u,d=o.length,$=d,c=0;for(e.__k=new Array(n),a=0;a<n;a++)(s=t[a])!=null&&typeof s!="boolean"&&typeof s!="function"?(typeof s=="string"||typeof s=="number"||typeof s=="bigint"||s.constructor==String?s=e.__k[a]=be(null,s,null,null,null):ke(s)?s=e.__k[a]=be(we,{children:s},null,null,null):s.constructor===void 0&&s.__b>0?s=e.__k[a]=be(s.type,s.props,s.key,s.ref?s.ref:null,s.__v):e.__k[a]=s,l=a+c,s.__=e,s.__b=e.__b+1,i=null,(u=s.__i=go(s,o,l,$))!=-1&&($--,(i=o[u])&&(i.__u|=2)),i==null||i.__v==null?(u==-1&&(n>d?c--:n<d&&c++),typeof s.type!="function"&&(s.__u|=4)):u!=l&&(u==l-1?c--:u==l+1?c++:(u>l?c--:c++,s.__u|=4))):e.__k[a]=null;if($)for(a=0;a<d;a++)(i=o[a])!=null&&(2&i.__u)==0&&(i.__e==r&&(r=Q(i)),ct(i,i));return r}function st(e,t,o){var r,n;if(typeof e.type=="function"){for(r=e.__k,n=0;r&&n<r.length;n++)r[n]&&(r[n].__=e,t=st(r[n],t,o));return t}e.__e!=t&&(t&&e.type&&!t.parentNode&&(t=Q(e)),t=o.insertBefore(e.__e,t||null));do t=t&&t.nextSibling;while(t!=null&&t.nodeType==8);return t}function go(e,t,o,r){var n,a,s,i=e.key,l=e.type,u=t[o],d=u!=null&&(2&u.__u)==0;if(u===null&&i==null||d&&i==u.key&&l==u.type)return o;if(r>(d?1:0)){for(n=o-1,a=o+1;n>=0||a<t.length;)if((u=t[s=n>=0?n--:a++])!=null&&(2&u.__u)==0&&i==u.key&&l==u.type)return s}return-1}function Je(e,t,o){t[0]=="-"?e.setProperty(t,o??""):e[t]=o==null?"":typeof o!="number"||fo.test(t)?o:o+"px"}function me(e,t,o,r,n){var a,s;e:if(t=="style")if(typeof o=="string")e.style.cssText=o;else{if(typeof r=="string"&&(e.style.cssText=r=""),r)for(t in r)o&&t in o||Je(e.style,t,"");if(o)for(t in o)r&&o[t]==r[t]||Je(e.style,t,o[t])}else if(t[0]=="o"&&t[1]=="n")a=t!=(t=t.replace(nt,"$1")),s=t.toLowerCase(),t=s in e||t=="onFocusOut"||t=="onFocusIn"?s.slice(2):t.slice(2),e.l||(e.l={}),e.l[t+a]=o,o?r?o[se]=r[se]:(o[se]=Re,e.addEventListener(t,a?De:je,a)):e.removeEventListener(t,a?De:je,a);else{if(n=="http://www.w3.org/2000/svg")t=t.replace(/xlink(H|:h)/,"h").replace(/sName$/,"s");else if(t!="width"&&t!="height"&&t!="href"&&t!="list"&&t!="form"&&t!="tabIndex"&&t!="download"&&t!="rowSpan"&&t!="colSpan"&&t!="role"&&t!="popover"&&t in e)try{e[t]=o??"";break e}catch{}typeof o=="function"||(o==null||o===!1&&t[4]!="-"?e.removeAttribute(t):e.setAttribute(t,t=="popover"&&o==1?"":o))}}function Ze(e){return function(t){if(this.l){var o=this.l[t.type+e];if(t[fe]==null)t[fe]=Re++;else if(t[fe]<o[se])return;return o(P.event?P.event(t):t)}}}function Te(e,t,o,r,n,a,s,i,l,u){var d,$,c,f,v,I,h,k,E,M,ae,X,re,Ye,$e,Pe,B=t.type;if(t.constructor!==void 0)return null;128&o.__u&&(l=!!(32&o.__u),a=[i=t.__e=o.__e]),(d=P.__b)&&d(t);e:if(typeof B=="function"){$=s.length;try{if(E=t.props,M=B.prototype&&B.prototype.render,ae=(d=B.contextType)&&r[d.__c],X=d?ae?ae.props.value:d.__:r,o.__c?k=(c=t.__c=o.__c).__=c.__E:(M?t.__c=c=new B(E,X):(t.__c=c=new _e(E,X),c.constructor=B,c.render=ho),ae&&ae.sub(c),c.state||(c.state={}),c.__n=r,f=c.__d=!0,c.__h=[],c._sb=[]),M&&c.__s==null&&(c.__s=c.state),M&&B.getDerivedStateFromProps!=null&&(c.__s==c.state&&(c.__s=H({},c.__s)),H(c.__s,B.getDerivedStateFromProps(E,c.__s))),v=c.props,I=c.state,c.__v=t,f)M&&B.getDerivedStateFromProps==null&&c.componentWillMount!=null&&c.componentWillMount(),M&&c.componentDidMount!=null&&c.__h.push(c.componentDidMount);else{if(M&&B.getDerivedStateFromProps==null&&E!==v&&c.componentWillReceiveProps!=null&&c.componentWillReceiveProps(E,X),t.__v==o.__v||!c.__e&&c.shouldComponentUpdate!=null&&c.shouldComponentUpdate(E,c.__s,X)===!1){t.__v!=o.__v&&(c.props=E,c.state=c.__s,c.__d=!1),t.__e=o.__e,t.__k=o.__k,t.__k.some(function(te){te&&(te.__=t)}),ve.push.apply(c.__h,c._sb),c._sb=[],c.__h.length&&s.push(c),i=Q(o);break e}c.componentWillUpdate!=null&&c.componentWillUpdate(E,c.__s,X),M&&c.componentDidUpdate!=null&&c.__h.push(function(){c.componentDidUpdate(v,I,h)})}if(c.context=X,c.props=E,c.__P=e,c.__e=!1,re=P.__r,Ye=0,M)c.state=c.__s,c.__d=!1,re&&re(t),d=c.render(c.props,c.state,c.context),ve.push.apply(c.__h,c._sb),c._sb=[];else do c.__d=!1,re&&re(t),d=c.render(c.props,c.state,c.context),c.state=c.__s;while(c.__d&&++Ye<25);c.state=c.__s,c.getChildContext!=null&&(r=H(H({},r),c.getChildContext())),M&&!f&&c.getSnapshotBeforeUpdate!=null&&(h=c.getSnapshotBeforeUpdate(v,I)),$e=d!=null&&d.type===we&&d.key==null?ut(d.props.children):d,i=rt(e,ke($e)?$e:[$e],t,o,r,n,a,s,i,l,u),c.base=t.__e,t.__u&=-161,c.__h.length&&s.push(c),k&&(c.__E=c.__=null)}catch(te){if(s.length=$,t.__v=null,l||a!=null){if(te.then){for(t.__u|=l?160:128;i&&i.nodeType==8&&i.nextSibling;)i=i.nextSibling;a!=null&&(a[a.indexOf(i)]=null),t.__e=i}else if(a!=null)for(Pe=a.length;Pe--;)Fe(a[Pe])}else t.__e=o.__e;t.__k==null&&(t.__k=o.__k||[]),te.then||lt(t),P.__e(te,t,o)}}else a==null&&t.__v==o.__v?(t.__k=o.__k,t.__e=o.__e):i=t.__e=vo(o.__e,t,o,r,n,a,s,l,u);return(d=P.diffed)&&d(t),128&t.__u?void 0:i}function lt(e){e&&(e.__c&&(e.__c.__e=!0),e.__k&&e.__k.some(lt))}function it(e,t,o){for(var r=0;r<o.length;r++)Le(o[r],o[++r],o[++r]);P.__c&&P.__c(t,e),e.some(function(n){try{e=n.__h,n.__h=[],e.some(function(a){a.call(n)})}catch(a){P.__e(a,n.__v)}})}function ut(e){return typeof e!="object"||e==null||e.__b>0?e:ke(e)?e.map(ut):e.constructor!==void 0?null:H({},e)}function vo(e,t,o,r,n,a,s,i,l){var u,d,$,c,f,v,I,h=o.props||ge,k=t.props,E=t.type;if(E=="svg"?n="http://www.w3.org/2000/svg":E=="math"?n="http://www.w3.org/1998/Math/MathML":n||(n="http://www.w3.org/1999/xhtml"),a!=null){for(u=0;u<a.length;u++)if((f=a[u])&&"setAttribute"in f==!!E&&(E?f.localName==E:f.nodeType==3)){e=f,a[u]=null;break}}if(e==null){if(E==null)return document.createTextNode(k);e=document.createElementNS(n,E,k.is&&k),i&&(P.__m&&P.__m(t,a),i=!1),a=null}if(E==null)h===k||i&&e.data==k||(e.data=k);else{if(a=E=="textarea"&&k.defaultValue!=null?null:a&&ye.call(e.childNodes),!i&&a!=null)for(h={},u=0;u<e.attributes.length;u++)h[(f=e.attributes[u]).name]=f.value;for(u in h)f=h[u],u=="dangerouslySetInnerHTML"?$=f:u=="children"||u in k||u=="value"&&"defaultValue"in k||u=="checked"&&"defaultChecked"in k||me(e,u,null,f,n);for(u in k)f=k[u],u=="children"?c=f:u=="dangerouslySetInnerHTML"?d=f:u=="value"?v=f:u=="checked"?I=f:i&&typeof f!="function"||h[u]===f||me(e,u,f,h[u],n);if(d)i||$&&(d.__html==$.__html||d.__html==e.innerHTML)||(e.innerHTML=d.__html),t.__k=[];else if($&&(e.innerHTML=""),rt(t.type=="template"?e.content:e,ke(c)?c:[c],t,o,r,E=="foreignObject"?"http://www.w3.org/1999/xhtml":n,a,s,a?a[0]:o.__k&&Q(o,0),i,l),a!=null)for(u=a.length;u--;)Fe(a[u]);i&&E!="textarea"||(u="value",E=="progress"&&v==null?e.removeAttribute("value"):v!=null&&(v!==e[u]||E=="progress"&&!v||E=="option"&&v!=h[u])&&me(e,u,v,h[u],n),u="checked",I!=null&&I!=e[u]&&me(e,u,I,h[u],n))}return e}function Le(e,t,o){try{if(typeof e=="function"){var r=typeof e.__u=="function";r&&e.__u(),r&&t==null||(e.__u=e(t))}else e.current=t}catch(n){P.__e(n,o)}}function ct(e,t,o){var r,n;if(P.unmount&&P.unmount(e),(r=e.ref)&&(r.current&&r.current!=e.__e||Le(r,null,t)),(r=e.__c)!=null){if(r.componentWillUnmount)try{r.componentWillUnmount()}catch(a){P.__e(a,t)}r.base=r.__P=r.__n=null}if(r=e.__k)for(n=0;n<r.length;n++)r[n]&&ct(r[n],t,o||typeof e.type!="function");o||Fe(e.__e),e.__c=e.__=e.__e=void 0}function ho(e,t,o){return this.constructor(e,o)}function pt(e,t,o){var r,n,a,s;t==document&&(t=document.documentElement),P.__&&P.__(e,t),n=(r=typeof o=="function")?null:o&&o.__k||t.__k,a=[],s=[],Te(t,e=(!r&&o||t).__k=Ue(we,null,[e]),n||ge,ge,t.namespaceURI,!r&&o?[o]:n?null:t.firstChild?ye.call(t.childNodes):null,a,!r&&o?o:n?n.__e:t.firstChild,r,s),it(a,e,s),e.props.children=null}ye=ve.slice,P={__e:function(e,t,o,r){for(var n,a,s;t=t.__;)if((n=t.__c)&&!n.__)try{if((a=n.constructor)&&a.getDerivedStateFromError!=null&&(n.setState(a.getDerivedStateFromError(e)),s=n.__d),n.componentDidCatch!=null&&(n.componentDidCatch(e,r||{}),s=n.__d),s)return n.__E=n}catch(i){e=i}throw e}},et=0,$o=function(e){return e!=null&&e.constructor===void 0},_e.prototype.setState=function(e,t){var o;o=this.__s!=null&&this.__s!=this.state?this.__s:this.__s=H({},this.state),typeof e=="function"&&(e=e(H({},o),this.props)),e&&H(o,e),e!=null&&this.__v&&(t&&this._sb.push(t),Qe(this))},_e.prototype.forceUpdate=function(e){this.__v&&(this.__e=!0,e&&this.__h.push(e),Qe(this))},_e.prototype.render=we,K=[],tt=typeof Promise=="function"?Promise.prototype.then.bind(Promise.resolve()):setTimeout,ot=function(e,t){return e.__v.__b-t.__v.__b},he.__r=0,Ne=Math.random().toString(8),fe="__d"+Ne,se="__a"+Ne,nt=/(PointerCapture)$|Capture$/i,Re=0,je=Ze(!1),De=Ze(!0),mo=0;var le,F,qe,dt,ie=0,ht=[],U=P,$t=U.__b,mt=U.__r,ft=U.diffed,bt=U.__c,_t=U.unmount,gt=U.__;function Me(e,t){U.__h&&U.__h(F,e,ie||t),ie=0;var o=F.__H||(F.__H={__:[],__h:[]});return e>=o.__.length&&o.__.push({}),o.__[e]}function m(e){return ie=1,yo(xt,e)}function yo(e,t,o){var r=Me(le++,2);if(r.t=e,!r.__c&&(r.__=[o?o(t):xt(void 0,t),function(i){var l=r.__N?r.__N[0]:r.__[0],u=r.t(l,i);l!==u&&(r.__N=[u,r.__[1]],r.__c.setState({}))}],r.__c=F,!F.__f)){var n=function(i,l,u){if(!r.__c.__H)return!0;var d=!1,$=r.__c.props!==i;if(r.__c.__H.__.some(function(f){if(f.__N){d=!0;var v=f.__[0];f.__=f.__N,f.__N=void 0,v!==f.__[0]&&($=!0)}}),a){var c=a.call(this,i,l,u);return d?c||$:c}return!d||$};F.__f=!0;var a=F.shouldComponentUpdate,s=F.componentWillUpdate;F.componentWillUpdate=function(i,l,u){if(this.__e){var d=a;a=void 0,n(i,l,u),a=d}s&&s.call(this,i,l,u)},F.shouldComponentUpdate=n}return r.__N||r.__}function oe(e,t){var o=Me(le++,3);!U.__s&&wt(o.__H,t)&&(o.__=e,o.u=t,F.__H.__h.push(o))}function Be(e){return ie=5,yt(function(){return{current:e}},[])}function yt(e,t){var o=Me(le++,7);return wt(o.__H,t)&&(o.__=e(),o.__H=t,o.__h=e),o.__}function kt(e,t){return ie=8,yt(function(){return e},t)}function ko(){for(var e;e=ht.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(xe),t.__h.some(Ve),t.__h=[]}catch(o){t.__h=[],U.__e(o,e.__v)}}}U.__b=function(e){F=null,$t&&$t(e)},U.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),gt&&gt(e,t)},U.__r=function(e){mt&&mt(e),le=0;var t=(F=e.__c).__H;t&&(qe===F?(t.__h=[],F.__h=[],t.__.some(function(o){o.__N&&(o.__=o.__N),o.u=o.__N=void 0})):(t.__h.some(xe),t.__h.some(Ve),t.__h=[],le=0)),qe=F},U.diffed=function(e){ft&&ft(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&(ht.push(t)!==1&&dt===U.requestAnimationFrame||((dt=U.requestAnimationFrame)||wo)(ko)),t.__H.__.some(function(o){o.u&&(o.__H=o.u,o.u=void 0)})),qe=F=null},U.__c=function(e,t){t.some(function(o){try{o.__h.some(xe),o.__h=o.__h.filter(function(r){return!r.__||Ve(r)})}catch(r){t.some(function(n){n.__h&&(n.__h=[])}),t=[],U.__e(r,o.__v)}}),bt&&bt(e,t)},U.unmount=function(e){_t&&_t(e);var t,o=e.__c;o&&o.__H&&(o.__H.__.some(function(r){try{xe(r)}catch(n){t=n}}),o.__H=void 0,t&&U.__e(t,o.__v))};var vt=typeof requestAnimationFrame=="function";function wo(e){var t,o=function(){clearTimeout(r),vt&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(o,35);vt&&(t=requestAnimationFrame(o))}function xe(e){var t=F,o=e.__c;typeof o=="function"&&(e.__c=void 0,o()),F=t}function Ve(e){var t=F;e.__c=e.__(),F=t}function wt(e,t){return!e||e.length!==t.length||t.some(function(o,r){return o!==e[r]})}function xt(e,t){return typeof t=="function"?t(e):t}var xo="2.79",ze="";function Ct(e){ze=e||""}var ne=class extends Error{constructor(t,o){super(o),this.status=t}};function Oe(e,t){let o=null;try{o=JSON.parse(t)}catch{}if(o&&typeof o=="object"){if(typeof o.error=="string")return o.error;if(typeof o.message=="string")return o.message;for(let a of Object.values(o)){if(a&&typeof a=="object"&&typeof a.message=="string")return a.message;if(typeof a=="string"&&a)return a}}let r=String(t||"").replace(/<[^>]*>/g," ").split(`
`).map(a=>a.trim()).filter(Boolean),n=r.filter(a=>!/^\d{3} [A-Za-z ]+$/.test(a));return(n.length?n:r).join(" ")||`HTTP ${e}`}async function J(e,t,{body:o,headers:r={},raw:n=!1}={}){let a={Accept:"application/json",...r};e!=="GET"&&e!=="HEAD"&&(a["X-CSRF-Token"]=ze),t.startsWith("/api/compute/")&&(a["X-OpenStack-Nova-API-Version"]=xo);let s=o;o!==void 0&&!(typeof o=="string"||o instanceof Blob)&&(a["Content-Type"]=a["Content-Type"]||"application/json",s=JSON.stringify(o));let i=await fetch(t,{method:e,headers:a,body:s,credentials:"same-origin"});if(i.status===401&&!t.startsWith("/auth/")&&window.dispatchEvent(new CustomEvent("gostack:logged-out")),n){if(!i.ok)throw new ne(i.status,Oe(i.status,await i.text()));return i}let l=await i.text();if(!i.ok)throw new ne(i.status,Oe(i.status,l));if(!l)return null;try{return JSON.parse(l)}catch{return l}}var _=(e,t)=>J("GET",e,t),x=(e,t,o={})=>J("POST",e,{...o,body:t}),L=(e,t,o={})=>J("PUT",e,{...o,body:t}),Ce=(e,t,o={})=>J("PATCH",e,{...o,body:t}),A=(e,t)=>J("DELETE",e,t);function Se(e,t,o,r,n){return new Promise((a,s)=>{let i=new XMLHttpRequest;i.open(e,t),i.setRequestHeader("X-CSRF-Token",ze);for(let[l,u]of Object.entries(r||{}))i.setRequestHeader(l,u);i.upload.onprogress=l=>{l.lengthComputable&&n(l.loaded/l.total)},i.onload=()=>{i.status>=200&&i.status<300?(n(1),a(i.responseText)):s(new ne(i.status,Oe(i.status,i.responseText)))},i.onerror=()=>s(new ne(0,"The upload failed: the connection was lost.")),i.send(o)})}var It=function(e,t,o,r){var n;t[0]=0;for(var a=1;a<t.length;a++){var s=t[a++],i=t[a]?(t[0]|=s?1:2,o[t[a++]]):t[++a];s===3?r[0]=i:s===4?r[1]=Object.assign(r[1]||{},i):s===5?(r[1]=r[1]||{})[t[++a]]=i:s===6?r[1][t[++a]]+=i+"":s?(n=e.apply(i,It(e,i,o,["",null])),r.push(n),i[0]?t[0]|=2:(t[a-2]=0,t[a]=n)):r.push(i)}return r},St=new Map;function At(e){var t=St.get(this);return t||(t=new Map,St.set(this,t)),(t=It(this,t.get(e)||(t.set(e,t=(function(o){for(var r,n,a=1,s="",i="",l=[0],u=function(c){a===1&&(c||(s=s.replace(/^\s*\n\s*|\s*\n\s*$/g,"")))?l.push(0,c,s):a===3&&(c||s)?(l.push(3,c,s),a=2):a===2&&s==="..."&&c?l.push(4,c,0):a===2&&s&&!c?l.push(5,0,!0,s):a>=5&&((s||!c&&a===5)&&(l.push(a,0,s,n),a=6),c&&(l.push(a,c,0,n),a=6)),s=""},d=0;d<o.length;d++){d&&(a===1&&u(),u(d));for(var $=0;$<o[d].length;$++)r=o[d][$],a===1?r==="<"?(u(),l=[l],a=3):s+=r:a===4?s==="--"&&r===">"?(a=1,s=""):s=r+s[0]:i?r===i?i="":s+=r:r==='"'||r==="'"?i=r:r===">"?(u(),a=1):a&&(r==="="?(a=5,n=s,s=""):r==="/"&&(a<5||o[d][$+1]===">")?(u(),a===3&&(l=l[0]),a=l,(l=l[0]).push(2,0,a),a=0):r===" "||r==="	"||r===`
`||r==="\r"?(u(),a=2):s+=r),a===3&&s==="!--"&&(a=4,l=l[0])}return u(),l})(e)),t),arguments,[])).length>1?t:t[0]}var p=At.bind(Ue);function w(e,t=[],o=0){let[r,n]=m({data:null,error:null,loading:!0}),a=Be(0),s=kt(async()=>{let i=++a.current;try{let l=await e();i===a.current&&n({data:l,error:null,loading:!1})}catch(l){i===a.current&&n(u=>({data:u.data,error:l,loading:!1}))}},t);return oe(()=>{if(s(),!o)return;let i=setInterval(s,o);return()=>clearInterval(i)},[s,o]),{...r,reload:s}}function q({error:e}){if(!e)return null;let t=e.status?p`<strong>${e.status}</strong> `:null;return p`<div class="error" role="alert">${t}${e.message}</div>`}function y({title:e,actions:t,error:o,children:r}){return oe(()=>{document.title=`${e} \xB7 gostack`},[e]),p`<section class="page" aria-labelledby="page-title">
    <header class="page-head">
      <h1 id="page-title" tabindex="-1">${e}</h1>
      <div class="actions">${t}</div>
    </header>
    <${q} error=${o} />
    ${r}
  </section>`}function C({rows:e,cols:t,empty:o="Nothing here yet.",label:r,rowId:n=a=>a.id}){return e?e.length?p`<div class="table-wrap"><table aria-label=${r}>
    <thead><tr>${t.map(a=>p`<th scope="col">${a.label}</th>`)}</tr></thead>
    <tbody>${e.map(a=>p`<tr key=${n(a)} data-id=${n(a)}>${t.map(s=>p`<td data-label=${s.label}>${s.get(a)}</td>`)}</tr>`)}</tbody>
  </table></div>`:p`<p class="muted">${o}</p>`:p`<p class="muted" aria-live="polite">Loading…</p>`}function ue({title:e,onClose:t,children:o}){let r=Be(null);return oe(()=>{let n=r.current;n&&!n.open&&n.showModal();let a=n&&n.querySelector("input, select, textarea, button:not(.close)");a&&a.focus()},[]),p`<dialog ref=${r} class="modal" aria-label=${e} onClose=${t} onCancel=${t}>
    <div class="modal-head"><h2>${e}</h2>
      <button type="button" class="close" aria-label="Close" onClick=${t}>×</button></div>
    ${o}
  </dialog>`}var Co=0;function b({label:e,value:t,onInput:o,type:r="text",options:n,required:a,multiple:s,rows:i,hint:l,...u}){let[d]=m(()=>`f${++Co}`),$;if(n)$=p`<select id=${d} required=${a} multiple=${s} ...${u}
      onChange=${c=>o(s?[...c.target.selectedOptions].map(f=>f.value):c.target.value)}>
      ${n.map(c=>p`<option value=${c.value} selected=${s?(t||[]).includes(c.value):c.value===t}>${c.label}</option>`)}
    </select>`;else if(r==="textarea")$=p`<textarea id=${d} rows=${i||4} required=${a} value=${t} ...${u}
      onInput=${c=>o(c.target.value)}></textarea>`;else{if(r==="checkbox")return p`<div class="field check"><input id=${d} type="checkbox" checked=${t} ...${u}
      onChange=${c=>o(c.target.checked)} /><label for=${d}>${e}</label></div>`;r==="file"?$=p`<input id=${d} type="file" required=${a} ...${u} onChange=${c=>o(c.target.files[0])} />`:$=p`<input id=${d} type=${r} required=${a} value=${t} ...${u}
      onInput=${c=>o(r==="number"?Number(c.target.value):c.target.value)} />`}return p`<div class="field"><label for=${d}>${e}</label>${$}${l?p`<small>${l}</small>`:null}</div>`}function Et({onSubmit:e,submit:t="Save",children:o,onDone:r}){let[n,a]=m(!1),[s,i]=m(null);return p`<form onSubmit=${async u=>{u.preventDefault(),a(!0),i(null);try{await e(),r&&r()}catch(d){i(d)}finally{a(!1)}}} class="form">
    ${o}
    <${q} error=${s} />
    <div class="form-actions"><button type="submit" class="primary" disabled=${n}>${n?"Working\u2026":t}</button></div>
  </form>`}function g({title:e,onClose:t,onSubmit:o,submit:r,children:n,reload:a}){return p`<${ue} title=${e} onClose=${t}>
    <${Et} submit=${r||e} onSubmit=${o} onDone=${()=>{t(),a&&a()}}>${n}</${Et}>
  </${ue}>`}function S({label:e,run:t,onError:o,confirm:r,danger:n,reload:a,name:s}){let[i,l]=m(!1),u=async()=>{if(!(r&&!window.confirm(r))){l(!0);try{await t(),o&&o(null),a&&a()}catch(d){o&&o(d)}finally{l(!1)}}};return p`<button type="button" class=${n?"small danger":"small"} disabled=${i}
    aria-label=${s?`${e} ${s}`:void 0} onClick=${u}>${e}</button>`}function G({label:e,used:t,limit:o,unit:r=""}){let n=o===-1||o===void 0,a=n||!o?0:Math.min(100,Math.round(100*t/o)),s=`${t}${r} of ${n?"\u221E":`${o}${r}`}`;return p`<div class="usage">
    <div class="usage-label"><span>${e}</span><span>${s}</span></div>
    <div class="bar" role="progressbar" aria-label=${e} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${a}
      aria-valuetext=${s}><span class=${a>85?"hot":""} style=${`width:${a}%`}></span></div>
  </div>`}function N({value:e}){let t=String(e||"").toUpperCase(),o="st";return/ACTIVE|AVAILABLE|UP|IN-USE|ENABLED|TRUE/.test(t)?o+=" ok":/ERROR|DOWN|FAIL|DISABLED|KILLED/.test(t)?o+=" bad":/BUILD|ING|QUEUED|SAVING|PENDING|RESIZE|VERIFY/.test(t)&&(o+=" busy"),p`<span class=${o}>${e}</span>`}function T({href:e,children:t,...o}){return p`<a href=${e} onClick=${n=>{n.button||n.metaKey||n.ctrlKey||n.shiftKey||(n.preventDefault(),V(e))}} ...${o}>${t}</a>`}function V(e){e!==location.pathname+location.search&&(history.pushState(null,"",e),window.dispatchEvent(new Event("gostack:navigate")))}function Z(e){if(e==null)return"";let t=["B","KiB","MiB","GiB","TiB"],o=0,r=Number(e);for(;r>=1024&&o<t.length-1;)r/=1024,o++;return`${o?r.toFixed(1):r} ${t[o]}`}function D(e,t=r=>r.name||r.id,o=r=>r.id){return(e||[]).map(r=>({value:o(r),label:t(r)}))}function Pt({onLogin:e}){let[t,o]=m("Default"),[r,n]=m(""),[a,s]=m(""),[i,l]=m(null),[u,d]=m(!1),$=async c=>{c.preventDefault(),d(!0),l(null);try{e(await x("/auth/login",{domain:t,username:r,password:a}))}catch(f){l(f),d(!1)}};return document.title="Log in \xB7 gostack",p`<main class="login" id="main">
    <form class="card" onSubmit=${$}>
      <h1>gostack</h1>
      <p class="muted">Log in to your cloud.</p>
      <${b} label="Domain" value=${t} onInput=${o} required autocomplete="off" />
      <${b} label="User name" value=${r} onInput=${n} required autocomplete="username" />
      <${b} label="Password" type="password" value=${a} onInput=${s} required autocomplete="current-password" />
      <${q} error=${i} />
      <button type="submit" class="primary" disabled=${u}>${u?"Logging in\u2026":"Log in"}</button>
    </form>
  </main>`}function He({title:e,load:t,render:o}){let{data:r,error:n}=w(t);return p`<section class="card usage-card" aria-label=${e}>
    <h2>${e}</h2>
    <${q} error=${n} />
    ${r?o(r):n?null:p`<p class="muted">Loading…</p>`}
  </section>`}function Nt({session:e}){let t=o=>e.services.includes(o);return p`<${y} title="Overview">
    <div class="grid">
      ${t("compute")&&p`<${He} title="Compute" load=${()=>_("/api/compute/limits")} render=${o=>{let r=o.limits.absolute;return p`<${G} label="Instances" used=${r.totalInstancesUsed} limit=${r.maxTotalInstances} />
          <${G} label="VCPUs" used=${r.totalCoresUsed} limit=${r.maxTotalCores} />
          <${G} label="RAM" used=${r.totalRAMUsed} limit=${r.maxTotalRAMSize} unit=" MiB" />
          <${G} label="Server groups" used=${r.totalServerGroupsUsed||0} limit=${r.maxServerGroups} />`}} />`}
      ${t("network")&&p`<${He} title="Network"
        load=${()=>_(`/api/network/v2.0/quotas/${e.project.id}/details.json`)} render=${o=>{let r=o.quota,n=(a,s)=>r[a]&&p`<${G} label=${s} used=${r[a].used} limit=${r[a].limit} />`;return p`${n("network","Networks")}${n("subnet","Subnets")}${n("port","Ports")}
            ${n("router","Routers")}${n("floatingip","Floating IPs")}${n("security_group","Security groups")}`}} />`}
      ${(t("volumev3")||t("block-storage"))&&p`<${He} title="Volumes" load=${()=>_("/api/volumev3/limits")} render=${o=>{let r=o.limits.absolute;return p`<${G} label="Volumes" used=${r.totalVolumesUsed} limit=${r.maxTotalVolumes} />
          <${G} label="Volume storage" used=${r.totalGigabytesUsed} limit=${r.maxTotalVolumeGigabytes} unit=" GiB" />
          <${G} label="Volume snapshots" used=${r.totalSnapshotsUsed} limit=${r.maxTotalSnapshots} />`}} />`}
    </div>
  </${y}>`}var Ie=(e,t)=>x(`/api/compute/servers/${e}/action`,t);function jt(e){return Object.entries(e.addresses||{}).map(([t,o])=>`${t}: ${o.map(r=>r.addr).join(", ")}`).join("; ")}function So({onClose:e,reload:t,session:o,preset:r={}}){let[n,a]=m({name:"",source:r.volume?"volume":"image",image:r.image||"",volume:r.volume||"",flavor:"",networks:[],groups:["default"],key:"",userData:"",count:1}),s=d=>$=>a(c=>({...c,[d]:$})),i=w(async()=>{let d=k=>o.services.includes(k),[$,c,f,v,I,h]=await Promise.all([_("/api/image/v2/images?status=active").then(k=>k.images),_("/api/compute/flavors/detail").then(k=>k.flavors),d("network")?_("/api/network/v2.0/networks").then(k=>k.networks):[],d("network")?_(`/api/network/v2.0/security-groups?project_id=${o.project.id}`).then(k=>k.security_groups):[],_("/api/compute/os-keypairs").then(k=>k.keypairs.map(E=>E.keypair)),d("volumev3")?_("/api/volumev3/volumes/detail?status=available").then(k=>k.volumes):[]]);return a(k=>({...k,image:k.image||$[0]&&$[0].id||"",volume:k.volume||h[0]&&h[0].id||"",flavor:k.flavor||c[0]&&c[0].id||""})),{images:$,flavors:c,networks:f,groups:v,keys:I,volumes:h}}),l=i.data||{images:[],flavors:[],networks:[],groups:[],keys:[],volumes:[]};return p`<${g} title="Launch instance" submit="Launch" onClose=${e} reload=${t} onSubmit=${async()=>{let d={name:n.name,flavorRef:n.flavor,min_count:n.count,max_count:n.count,networks:n.networks.length?n.networks.map($=>({uuid:$})):"none"};n.source==="image"?d.imageRef=n.image:d.block_device_mapping_v2=[{boot_index:0,uuid:n.volume,source_type:"volume",destination_type:"volume"}],n.groups.length&&l.networks.length&&(d.security_groups=n.groups.map($=>({name:$}))),n.key&&(d.key_name=n.key),n.userData&&(d.user_data=btoa(unescape(encodeURIComponent(n.userData)))),await x("/api/compute/servers",{server:d})}}>
    <${q} error=${i.error} />
    <fieldset><legend>1. Details</legend>
      <${b} label="Instance name" value=${n.name} onInput=${s("name")} required />
      <${b} label="Count" type="number" min="1" value=${n.count} onInput=${s("count")} />
    </fieldset>
    <fieldset><legend>2. Source</legend>
      <${b} label="Boot from" value=${n.source} onInput=${s("source")}
        options=${[{value:"image",label:"Image"},{value:"volume",label:"Volume"}]} />
      ${n.source==="image"?p`<${b} label="Image" value=${n.image} onInput=${s("image")} options=${D(l.images)} required />`:p`<${b} label="Volume" value=${n.volume} onInput=${s("volume")} options=${D(l.volumes)} required />`}
    </fieldset>
    <fieldset><legend>3. Flavor</legend>
      <${b} label="Flavor" value=${n.flavor} onInput=${s("flavor")} required
        options=${D(l.flavors,d=>`${d.name} (${d.vcpus} VCPU, ${d.ram} MiB, ${d.disk} GiB)`)} />
    </fieldset>
    <fieldset><legend>4. Networks</legend>
      <${b} label="Networks" multiple value=${n.networks} onInput=${s("networks")} options=${D(l.networks)}
        hint="Hold Ctrl or Shift to choose several; none leaves the instance without a network." />
    </fieldset>
    <fieldset><legend>5. Security groups and key pair</legend>
      <${b} label="Security groups" multiple value=${n.groups} onInput=${s("groups")} options=${D(l.groups,d=>d.name,d=>d.name)} />
      <${b} label="Key pair" value=${n.key} onInput=${s("key")} options=${[{value:"",label:"(none)"},...D(l.keys,d=>d.name,d=>d.name)]} />
    </fieldset>
    <fieldset><legend>6. Configuration</legend>
      <${b} label="User data" type="textarea" value=${n.userData} onInput=${s("userData")} hint="cloud-init script or cloud-config, sent base64-encoded." />
    </fieldset>
  </${g}>`}function Io({server:e,onClose:t,reload:o}){let[r,n]=m(""),s=(w(()=>_("/api/compute/flavors/detail").then(i=>i.flavors)).data||[]).filter(i=>i.name!==e.flavor.original_name);return p`<${g} title=${`Resize ${e.name}`} submit="Resize" onClose=${t} reload=${o}
    onSubmit=${()=>Ie(e.id,{resize:{flavorRef:r||s[0]&&s[0].id}})}>
    <${b} label="New flavor" value=${r} onInput=${n} options=${D(s)} required />
  </${g}>`}function Ao({server:e,onClose:t,reload:o}){let[r,n]=m(`${e.name}-snapshot`);return p`<${g} title=${`Snapshot ${e.name}`} submit="Create snapshot" onClose=${t} reload=${o}
    onSubmit=${()=>Ie(e.id,{createImage:{name:r}})}>
    <${b} label="Snapshot name" value=${r} onInput=${n} required />
  </${g}>`}function Eo({id:e}){let t=w(()=>Ie(e,{"os-getConsoleOutput":{length:200}}).then(o=>o.output),[e]);return p`<${q} error=${t.error} /><pre class="console-log" tabindex="0" aria-label="Console log">${t.data||""}</pre>
    <button type="button" class="small" onClick=${t.reload}>Refresh log</button>`}function Dt({s:e,reload:t,setError:o,setDialog:r}){let n=e.status,a=(s,i,l={})=>p`<${S} label=${s} name=${e.name} run=${()=>Ie(e.id,i)}
    reload=${t} onError=${o} ...${l} />`;return p`<div class="row-actions">
    ${n==="SHUTOFF"&&a("Start",{"os-start":null})}
    ${n==="ACTIVE"&&a("Stop",{"os-stop":null})}
    ${(n==="ACTIVE"||n==="SHUTOFF")&&a("Reboot",{reboot:{type:n==="ACTIVE"?"SOFT":"HARD"}})}
    ${n==="VERIFY_RESIZE"&&a("Confirm resize",{confirmResize:null})}
    ${n==="VERIFY_RESIZE"&&a("Revert resize",{revertResize:null})}
    ${(n==="ACTIVE"||n==="SHUTOFF")&&p`<button type="button" class="small" aria-label=${`Resize ${e.name}`}
      onClick=${()=>r({kind:"resize",s:e})}>Resize</button>`}
    ${(n==="ACTIVE"||n==="SHUTOFF")&&p`<button type="button" class="small" aria-label=${`Snapshot ${e.name}`}
      onClick=${()=>r({kind:"snapshot",s:e})}>Snapshot</button>`}
    <${T} class="button small" href=${`/project/instances/${e.id}`} aria-label=${`Console of ${e.name}`}>Console</${T}>
    <${S} label="Delete" name=${e.name} danger confirm=${`Delete instance ${e.name}?`} run=${()=>A(`/api/compute/servers/${e.id}`)}
      reload=${t} onError=${o} />
  </div>`}function Rt({dialog:e,setDialog:t,reload:o,session:r}){if(!e)return null;let n=()=>t(null);return e.kind==="launch"?p`<${So} onClose=${n} reload=${o} session=${r} preset=${e.preset} />`:e.kind==="resize"?p`<${Io} server=${e.s} onClose=${n} reload=${o} />`:e.kind==="snapshot"?p`<${Ao} server=${e.s} onClose=${n} reload=${o} />`:null}function Ft({session:e}){let t=Object.fromEntries(new URLSearchParams(location.search)),[o,r]=m(t.launch?{kind:"launch",preset:t}:null),[n,a]=m(null),s=w(()=>_("/api/compute/servers/detail").then(l=>l.servers),[],3e3),i=[{label:"Name",get:l=>p`<${T} href=${`/project/instances/${l.id}`}>${l.name}</${T}>`},{label:"Status",get:l=>p`<${N} value=${l["OS-EXT-STS:task_state"]?`${l.status} (${l["OS-EXT-STS:task_state"]})`:l.status} />`},{label:"Flavor",get:l=>l.flavor&&l.flavor.original_name},{label:"Addresses",get:jt},{label:"Actions",get:l=>p`<${Dt} s=${l} reload=${s.reload} setError=${a} setDialog=${r} />`}];return p`<${y} title="Instances" error=${n||s.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>r({kind:"launch"})}>Launch instance</button>`}>
    <${C} label="Instances" rows=${s.data} cols=${i} empty="No instances. Launch one." />
    <${Rt} dialog=${o} setDialog=${r} reload=${s.reload} session=${e} />
  </${y}>`}function Ut({params:e,session:t}){let[o,r]=m(null),[n,a]=m(null),s=w(()=>_(`/api/compute/servers/${e.id}`).then(u=>u.server),[e.id],3e3),i=w(()=>x(`/api/compute/servers/${e.id}/remote-consoles`,{remote_console:{protocol:"vnc",type:"novnc"}}).then(u=>u.remote_console.url),[e.id]),l=s.data;return p`<${y} title=${l?`Instance ${l.name}`:"Instance"} error=${o||s.error}
    actions=${l&&p`<${Dt} s=${l} reload=${()=>l.status?s.reload():V("/project/instances")}
      setError=${r} setDialog=${a} />`}>
    ${l&&p`<dl class="facts">
      <dt>ID</dt><dd>${l.id}</dd>
      <dt>Status</dt><dd><${N} value=${l.status} /></dd>
      <dt>Flavor</dt><dd>${l.flavor&&l.flavor.original_name}</dd>
      <dt>Addresses</dt><dd>${jt(l)||"\u2014"}</dd>
      <dt>Key pair</dt><dd>${l.key_name||"\u2014"}</dd>
      <dt>Created</dt><dd>${l.created}</dd>
    </dl>`}
    <h2>Console</h2>
    <${q} error=${i.error} />
    ${i.data&&p`<p><a href=${i.data} target="_blank" rel="noopener">Open the console in its own window</a></p>
      <iframe class="console" title="VNC console" src=${i.data}></iframe>`}
    <h2>Console log</h2>
    <${Eo} id=${e.id} />
    <${Rt} dialog=${n} setDialog=${a} reload=${s.reload} session=${t} />
  </${y}>`}var Po=["raw","qcow2","iso","vmdk","vdi","vhd","vhdx","ami","aki","ari"],Tt=["private","shared","community","public"];function No({onClose:e,reload:t}){let[o,r]=m({name:"",file:null,disk:"raw",visibility:"private"}),[n,a]=m(null),s=u=>d=>r($=>({...$,[u]:d})),i=async()=>{let u=await x("/api/image/v2/images",{name:o.name||o.file&&o.file.name,disk_format:o.disk,container_format:"bare",visibility:o.visibility});a(0);try{await Se("PUT",`/api/image/v2/images/${u.id}/file`,o.file,{"Content-Type":"application/octet-stream"},a)}catch(d){throw await A(`/api/image/v2/images/${u.id}`).catch(()=>{}),d}},l=n===null?null:Math.round(n*100);return p`<${g} title="Upload image" submit="Upload" onClose=${e} reload=${t} onSubmit=${i}>
    <${b} label="Image name" value=${o.name} onInput=${s("name")} />
    <${b} label="Image file" type="file" onInput=${s("file")} required />
    <${b} label="Disk format" value=${o.disk} onInput=${s("disk")} options=${Po.map(u=>({value:u,label:u}))} />
    <${b} label="Visibility" value=${o.visibility} onInput=${s("visibility")} options=${Tt.map(u=>({value:u,label:u}))} />
    ${l!==null&&p`<div class="upload-progress">
      <progress id="upload-progress" max="100" value=${l} aria-label="Upload progress">${l}%</progress>
      <span aria-live="polite">${l}%</span></div>`}
  </${g}>`}function jo({image:e,onClose:t,reload:o}){let[r,n]=m(e.name||""),[a,s]=m(e.visibility),i=()=>{let l=[];return r!==e.name&&l.push({op:e.name===null?"add":"replace",path:"/name",value:r}),a!==e.visibility&&l.push({op:"replace",path:"/visibility",value:a}),l.length?Ce(`/api/image/v2/images/${e.id}`,JSON.stringify(l),{headers:{"Content-Type":"application/openstack-images-v2.1-json-patch"}}):Promise.resolve()};return p`<${g} title=${`Edit image ${e.name||e.id}`} onClose=${t} reload=${o} onSubmit=${i}>
    <${b} label="Image name" value=${r} onInput=${n} />
    <${b} label="Visibility" value=${a} onInput=${s} options=${Tt.map(l=>({value:l,label:l}))} />
  </${g}>`}function Lt(){let[e,t]=m(null),[o,r]=m(null),n=w(()=>_("/api/image/v2/images?limit=1000").then(i=>i.images),[],5e3),a=[{label:"Name",get:i=>i.name||i.id},{label:"Status",get:i=>p`<${N} value=${i.status} />`},{label:"Visibility",get:i=>i.visibility},{label:"Format",get:i=>i.disk_format},{label:"Size",get:i=>Z(i.size)},{label:"Actions",get:i=>p`<div class="row-actions">
        ${i.status==="active"&&p`<button type="button" class="small" aria-label=${`Launch from ${i.name}`}
          onClick=${()=>V(`/project/instances?launch=1&image=${i.id}`)}>Launch</button>`}
        <button type="button" class="small" aria-label=${`Edit ${i.name}`} onClick=${()=>t({kind:"edit",i})}>Edit</button>
        <${S} label="Delete" name=${i.name} danger confirm=${`Delete image ${i.name}?`} run=${()=>A(`/api/image/v2/images/${i.id}`)}
          reload=${n.reload} onError=${r} />
      </div>`}],s=()=>t(null);return p`<${y} title="Images" error=${o||n.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>t({kind:"upload"})}>Upload image</button>`}>
    <${C} label="Images" rows=${n.data} cols=${a} empty="No images." />
    ${e&&e.kind==="upload"&&p`<${No} onClose=${s} reload=${n.reload} />`}
    ${e&&e.kind==="edit"&&p`<${jo} image=${e.i} onClose=${s} reload=${n.reload} />`}
  </${y}>`}function Do({onClose:e,reload:t,onKey:o}){let[r,n]=m(""),[a,s]=m("");return p`<${g} title="Create key pair" submit="Create" onClose=${e} reload=${t} onSubmit=${async()=>{let l={keypair:{name:r,type:"ssh"}};a.trim()&&(l.keypair.public_key=a.trim());let u=await x("/api/compute/os-keypairs",l);u.keypair.private_key&&o(u.keypair)}}>
    <${b} label="Key pair name" value=${r} onInput=${n} required />
    <${b} label="Public key to import (empty: generate a new pair)" type="textarea" value=${a} onInput=${s} />
  </${g}>`}function qt(){let[e,t]=m(!1),[o,r]=m(null),[n,a]=m(null),s=w(()=>_("/api/compute/os-keypairs").then(u=>u.keypairs.map(d=>d.keypair))),i=u=>{let d=document.createElement("a");d.href=URL.createObjectURL(new Blob([u.private_key],{type:"application/x-pem-file"})),d.download=`${u.name}.pem`,d.click()},l=[{label:"Name",get:u=>u.name},{label:"Type",get:u=>u.type},{label:"Fingerprint",get:u=>p`<code>${u.fingerprint}</code>`},{label:"Actions",get:u=>p`<${S} label="Delete" name=${u.name} danger confirm=${`Delete key pair ${u.name}?`}
      run=${()=>A(`/api/compute/os-keypairs/${encodeURIComponent(u.name)}`)} reload=${s.reload} onError=${a} />`}];return p`<${y} title="Key pairs" error=${n||s.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>t(!0)}>Create key pair</button>`}>
    <${C} label="Key pairs" rows=${s.data} cols=${l} rowId=${u=>u.name} empty="No key pairs." />
    ${e&&p`<${Do} onClose=${()=>t(!1)} reload=${s.reload} onKey=${r} />`}
    ${o&&p`<${ue} title=${`Private key of ${o.name}`} onClose=${()=>r(null)}>
      <p>This is the only time the private key is shown. Save it now.</p>
      <pre class="console-log" tabindex="0">${o.private_key}</pre>
      <button type="button" class="primary" onClick=${()=>i(o)}>Download ${o.name}.pem</button>
    </${ue}>`}
  </${y}>`}var O="/api/volumev3";function Ro({onClose:e,reload:t}){let[o,r]=m({name:"",size:1,description:""}),n=a=>s=>r(i=>({...i,[a]:s}));return p`<${g} title="Create volume" submit="Create" onClose=${e} reload=${t}
    onSubmit=${()=>x(`${O}/volumes`,{volume:{name:o.name,size:o.size,description:o.description}})}>
    <${b} label="Volume name" value=${o.name} onInput=${n("name")} required />
    <${b} label="Size (GiB)" type="number" min="1" value=${o.size} onInput=${n("size")} required />
    <${b} label="Description" value=${o.description} onInput=${n("description")} />
  </${g}>`}function Ae({title:e,label:t,initial:o,type:r,submit:n,onClose:a,reload:s,opts:i}){let[l,u]=m(o);return p`<${g} title=${e} onClose=${a} reload=${s} onSubmit=${()=>n(l)} submit=${e.split(" ")[0]}>
    <${b} label=${t} type=${r} value=${l} onInput=${u} options=${i} required />
  </${g}>`}function Vt(){let[e,t]=m(null),[o,r]=m(null),n=w(async()=>{let[c,f,v,I]=await Promise.all([_(`${O}/volumes/detail`),_(`${O}/snapshots/detail`),_(`${O}/backups/detail`).catch(()=>({backups:[]})),_("/api/compute/servers/detail")]);return{vols:c.volumes,snaps:f.snapshots,backups:v.backups,servers:I.servers}},[],3e3),a=n.data||{vols:null,snaps:null,backups:null,servers:[]},s=c=>(a.servers.find(f=>f.id===c)||{name:c}).name,i=()=>t(null),l=(c,f,v,I={})=>p`<${S} label=${c} name=${f.name} run=${v} reload=${n.reload} onError=${r} ...${I} />`,u=(c,f)=>p`<button type="button" class="small" aria-label=${`${c} ${f.name}`} onClick=${()=>t({kind:c,vol:f})}>${c}</button>`,d=[{label:"Name",get:c=>c.name||c.id},{label:"Size",get:c=>`${c.size} GiB`},{label:"Status",get:c=>p`<${N} value=${c.status} />`},{label:"Attached to",get:c=>c.attachments.map(f=>`${s(f.server_id)} on ${f.device}`).join(", ")||"\u2014"},{label:"Actions",get:c=>p`<div class="row-actions">
        ${c.status==="available"&&u("Attach",c)}
        ${c.attachments.map(f=>l("Detach",c,()=>A(`/api/compute/servers/${f.server_id}/os-volume_attachments/${c.id}`)))}
        ${c.status==="available"&&u("Extend",c)}
        ${u("Snapshot",c)}
        ${u("Backup",c)}
        ${l("Delete",c,()=>A(`${O}/volumes/${c.id}`),{danger:!0,confirm:`Delete volume ${c.name}?`})}
      </div>`}],$=e;return p`<${y} title="Volumes" error=${o||n.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>t({kind:"create"})}>Create volume</button>`}>
    <${C} label="Volumes" rows=${a.vols} cols=${d} empty="No volumes." />
    <h2>Volume snapshots</h2>
    <${C} label="Volume snapshots" rows=${a.snaps} empty="No snapshots." cols=${[{label:"Name",get:c=>c.name||c.id},{label:"Size",get:c=>`${c.size} GiB`},{label:"Status",get:c=>p`<${N} value=${c.status} />`},{label:"Actions",get:c=>l("Delete",c,()=>A(`${O}/snapshots/${c.id}`),{danger:!0,confirm:`Delete snapshot ${c.name}?`})}]} />
    <h2>Volume backups</h2>
    <${C} label="Volume backups" rows=${a.backups} empty="No backups." cols=${[{label:"Name",get:c=>c.name||c.id},{label:"Size",get:c=>`${c.size} GiB`},{label:"Status",get:c=>p`<${N} value=${c.status} />`},{label:"Actions",get:c=>l("Delete",c,()=>A(`${O}/backups/${c.id}`),{danger:!0,confirm:`Delete backup ${c.name}?`})}]} />
    ${$&&$.kind==="create"&&p`<${Ro} onClose=${i} reload=${n.reload} />`}
    ${$&&$.kind==="Attach"&&p`<${Ae} title=${`Attach ${$.vol.name}`} label="Instance" initial=${(a.servers[0]||{}).id}
      opts=${D(a.servers)} onClose=${i} reload=${n.reload}
      submit=${c=>x(`/api/compute/servers/${c}/os-volume_attachments`,{volumeAttachment:{volumeId:$.vol.id}})} />`}
    ${$&&$.kind==="Extend"&&p`<${Ae} title=${`Extend ${$.vol.name}`} label="New size (GiB)" type="number" initial=${$.vol.size+1}
      onClose=${i} reload=${n.reload} submit=${c=>x(`${O}/volumes/${$.vol.id}/action`,{"os-extend":{new_size:c}})} />`}
    ${$&&$.kind==="Snapshot"&&p`<${Ae} title=${`Snapshot ${$.vol.name}`} label="Snapshot name" initial=${`${$.vol.name}-snap`}
      onClose=${i} reload=${n.reload} submit=${c=>x(`${O}/snapshots`,{snapshot:{volume_id:$.vol.id,name:c,force:!0}})} />`}
    ${$&&$.kind==="Backup"&&p`<${Ae} title=${`Backup ${$.vol.name}`} label="Backup name" initial=${`${$.vol.name}-backup`}
      onClose=${i} reload=${n.reload} submit=${c=>x(`${O}/backups`,{backup:{volume_id:$.vol.id,name:c,incremental:!1}})} />`}
  </${y}>`}var z="/api/network/v2.0";function Mt({f:e,set:t}){return p`<${b} label="Subnet name" value=${e.subnetName} onInput=${t("subnetName")} />
    <${b} label="Network address (CIDR)" value=${e.cidr} onInput=${t("cidr")} placeholder="10.0.0.0/24" />
    <${b} label="IP version" value=${e.ipVersion} onInput=${t("ipVersion")} options=${[{value:"4",label:"IPv4"},{value:"6",label:"IPv6"}]} />
    <${b} label="Gateway IP (empty: the first address)" value=${e.gateway} onInput=${t("gateway")} />
    <${b} label="Enable DHCP" type="checkbox" value=${e.dhcp} onInput=${t("dhcp")} />`}var Bt=(e,t)=>{let o={network_id:e,name:t.subnetName,cidr:t.cidr,ip_version:Number(t.ipVersion),enable_dhcp:t.dhcp};return t.gateway&&(o.gateway_ip=t.gateway),{subnet:o}};function Fo({onClose:e,reload:t}){let[o,r]=m({name:"",shared:!1,subnetName:"",cidr:"",ipVersion:"4",gateway:"",dhcp:!0}),n=s=>i=>r(l=>({...l,[s]:i}));return p`<${g} title="Create network" onClose=${e} reload=${t} onSubmit=${async()=>{let s={network:{name:o.name,admin_state_up:!0}};o.shared&&(s.network.shared=!0);let i=(await x(`${z}/networks`,s)).network;o.cidr&&await x(`${z}/subnets`,Bt(i.id,o))}} submit="Create">
    <${b} label="Network name" value=${o.name} onInput=${n("name")} required />
    <${b} label="Shared" type="checkbox" value=${o.shared} onInput=${n("shared")} />
    <fieldset><legend>Subnet (optional)</legend><${Mt} f=${o} set=${n} /></fieldset>
  </${g}>`}function Ot(){let[e,t]=m(!1),[o,r]=m(null),n=w(async()=>{let[s,i]=await Promise.all([_(`${z}/networks`),_(`${z}/subnets`)]),l=Object.fromEntries(i.subnets.map(u=>[u.id,u]));return s.networks.map(u=>({...u,subnetList:u.subnets.map(d=>l[d]).filter(Boolean)}))}),a=[{label:"Name",get:s=>p`<${T} href=${`/project/networks/${s.id}`}>${s.name||s.id}</${T}>`},{label:"Subnets",get:s=>s.subnetList.map(i=>`${i.name||i.id} ${i.cidr}`).join(", ")},{label:"Shared",get:s=>s.shared?"Yes":"No"},{label:"External",get:s=>s["router:external"]?"Yes":"No"},{label:"Status",get:s=>p`<${N} value=${s.status} />`},{label:"Actions",get:s=>p`<${S} label="Delete" name=${s.name} danger confirm=${`Delete network ${s.name}?`}
      run=${()=>A(`${z}/networks/${s.id}`)} reload=${n.reload} onError=${r} />`}];return p`<${y} title="Networks" error=${o||n.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>t(!0)}>Create network</button>`}>
    <${C} label="Networks" rows=${n.data} cols=${a} empty="No networks." />
    ${e&&p`<${Fo} onClose=${()=>t(!1)} reload=${n.reload} />`}
  </${y}>`}function Uo({network:e,onClose:t,reload:o}){let[r,n]=m({subnetName:"",cidr:"",ipVersion:"4",gateway:"",dhcp:!0});return p`<${g} title="Create subnet" submit="Create" onClose=${t} reload=${o}
    onSubmit=${()=>x(`${z}/subnets`,Bt(e.id,r))}>
    <${Mt} f=${r} set=${s=>i=>n(l=>({...l,[s]:i}))} />
  </${g}>`}function zt({params:e}){let[t,o]=m(!1),[r,n]=m(null),a=w(async()=>{let[i,l,u]=await Promise.all([_(`${z}/networks/${e.id}`),_(`${z}/subnets?network_id=${e.id}`),_(`${z}/ports?network_id=${e.id}`)]);return{net:i.network,subnets:l.subnets,ports:u.ports}},[e.id]),s=a.data;return p`<${y} title=${s?`Network ${s.net.name||s.net.id}`:"Network"} error=${r||a.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>o(!0)}>Create subnet</button>`}>
    <h2>Subnets</h2>
    <${C} label="Subnets" rows=${s&&s.subnets} empty="No subnets." cols=${[{label:"Name",get:i=>i.name||i.id},{label:"CIDR",get:i=>i.cidr},{label:"Gateway",get:i=>i.gateway_ip||"\u2014"},{label:"DHCP",get:i=>i.enable_dhcp?"Yes":"No"},{label:"Actions",get:i=>p`<${S} label="Delete" name=${i.name} danger confirm=${`Delete subnet ${i.name}?`}
        run=${()=>A(`${z}/subnets/${i.id}`)} reload=${a.reload} onError=${n} />`}]} />
    <h2>Ports</h2>
    <${C} label="Ports" rows=${s&&s.ports} empty="No ports." cols=${[{label:"Name",get:i=>i.name||i.id.slice(0,8)},{label:"Fixed IPs",get:i=>i.fixed_ips.map(l=>l.ip_address).join(", ")},{label:"MAC",get:i=>i.mac_address},{label:"Device owner",get:i=>i.device_owner||"\u2014"},{label:"Status",get:i=>p`<${N} value=${i.status} />`}]} />
    ${t&&s&&p`<${Uo} network=${s.net} onClose=${()=>o(!1)} reload=${a.reload} />`}
  </${y}>`}var Y="/api/network/v2.0";function To({onClose:e,reload:t,externals:o}){let[r,n]=m(""),[a,s]=m("");return p`<${g} title="Create router" submit="Create" onClose=${e} reload=${t} onSubmit=${()=>{let l={name:r,admin_state_up:!0};return a&&(l.external_gateway_info={network_id:a}),x(`${Y}/routers`,{router:l})}}>
    <${b} label="Router name" value=${r} onInput=${n} required />
    <${b} label="External network" value=${a} onInput=${s} options=${[{value:"",label:"(none)"},...D(o)]} />
  </${g}>`}function Lo({router:e,subnets:t,onClose:o,reload:r}){let[n,a]=m(t[0]&&t[0].id||"");return p`<${g} title=${`Add interface to ${e.name}`} submit="Add interface" onClose=${o} reload=${r}
    onSubmit=${()=>L(`${Y}/routers/${e.id}/add_router_interface`,{subnet_id:n})}>
    <${b} label="Subnet" value=${n} onInput=${a} required options=${D(t,s=>`${s.name||s.id} (${s.cidr})`)} />
  </${g}>`}function Ht(){let[e,t]=m(null),[o,r]=m(null),n=w(async()=>{let[$,c,f,v]=await Promise.all([_(`${Y}/routers`),_(`${Y}/networks`),_(`${Y}/subnets`),_(`${Y}/ports?device_owner=network:router_interface`)]);return{routers:$.routers,networks:c.networks,subnets:f.subnets,ports:v.ports}}),a=n.data||{routers:null,networks:[],subnets:[],ports:[]},s=$=>{let c=a.subnets.find(f=>f.id===$);return c?`${c.name||c.id} (${c.cidr})`:$},i=$=>a.ports.filter(c=>c.device_id===$.id),l=$=>(a.networks.find(c=>c.id===$)||{name:$}).name,u=[{label:"Name",get:$=>$.name||$.id},{label:"Status",get:$=>p`<${N} value=${$.status} />`},{label:"External gateway",get:$=>$.external_gateway_info?l($.external_gateway_info.network_id):"\u2014"},{label:"Interfaces",get:$=>p`<ul class="plain">${i($).map(c=>c.fixed_ips.map(f=>p`<li>${s(f.subnet_id)}
        <${S} label="Remove" name=${`interface ${f.ip_address}`} danger run=${()=>L(`${Y}/routers/${$.id}/remove_router_interface`,{subnet_id:f.subnet_id})}
          reload=${n.reload} onError=${r} /></li>`))}</ul>`},{label:"Actions",get:$=>p`<div class="row-actions">
        <button type="button" class="small" aria-label=${`Add interface to ${$.name}`} onClick=${()=>t({kind:"iface",r:$})}>Add interface</button>
        <${S} label="Delete" name=${$.name} danger confirm=${`Delete router ${$.name}?`} run=${()=>A(`${Y}/routers/${$.id}`)}
          reload=${n.reload} onError=${r} /></div>`}],d=()=>t(null);return p`<${y} title="Routers" error=${o||n.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>t({kind:"create"})}>Create router</button>`}>
    <${C} label="Routers" rows=${a.routers} cols=${u} empty="No routers." />
    ${e&&e.kind==="create"&&p`<${To} onClose=${d} reload=${n.reload} externals=${a.networks.filter($=>$["router:external"])} />`}
    ${e&&e.kind==="iface"&&p`<${Lo} router=${e.r} subnets=${a.subnets} onClose=${d} reload=${n.reload} />`}
  </${y}>`}var Ge="/api/network/v2.0",Gt=150,Wt=70,ce=40;function qo(e,t){let o=Object.fromEntries(e.map((s,i)=>[s.id,90+i*Gt])),r=t.map((s,i)=>{let l=s.networks.map(d=>o[d]).filter(d=>d!==void 0),u=l.length?l.reduce((d,$)=>d+$,0)/l.length:90;return{...s,x:u,y:ce+40+i*Wt}}),n=ce+80+t.length*Wt,a=Math.max(400,160+e.length*Gt);return{col:o,nodes:r,height:n,width:a}}function Kt(){let e=w(async()=>{let[r,n,a,s]=await Promise.all([_(`${Ge}/networks`),_(`${Ge}/routers`),_(`${Ge}/ports`),_("/api/compute/servers/detail")]),i=u=>[...new Set(a.ports.filter(d=>d.device_id===u).map(d=>d.network_id))],l=[...n.routers.map(u=>({id:u.id,kind:"router",name:u.name||u.id.slice(0,8),href:"/project/routers",networks:[...new Set([...i(u.id),...u.external_gateway_info?[u.external_gateway_info.network_id]:[]])]})),...s.servers.map(u=>({id:u.id,kind:"instance",name:u.name,status:u.status,href:`/project/instances/${u.id}`,networks:i(u.id)}))];return{networks:r.networks,devices:l}},[],5e3),t=e.data,o=null;if(t){let{col:r,nodes:n,height:a,width:s}=qo(t.networks,t.devices),i=l=>u=>{u.preventDefault(),V(l)};o=p`<div class="topology-wrap"><svg class="topology" viewBox=${`0 0 ${s} ${a}`} width=${s} height=${a}
      role="group" aria-label=${`Topology: ${t.networks.length} networks, ${t.devices.length} routers and instances`}>
      ${n.map(l=>l.networks.filter(u=>r[u]!==void 0).map(u=>p`<line class="link" x1=${r[u]} y1=${l.y} x2=${l.x} y2=${l.y} />`))}
      ${t.networks.map(l=>p`<a href=${`/project/networks/${l.id}`} onClick=${i(`/project/networks/${l.id}`)} class="node network" data-kind="network" data-name=${l.name}>
        <title>Network ${l.name}</title>
        <rect x=${r[l.id]-8} y=${ce} width="16" height=${a-ce-10} rx="6" />
        <text x=${r[l.id]} y=${ce-12} text-anchor="middle">${l.name||l.id.slice(0,8)}</text></a>`)}
      ${n.map(l=>p`<a href=${l.href} onClick=${i(l.href)} class=${`node ${l.kind}`} data-kind=${l.kind} data-name=${l.name}>
        <title>${l.kind==="router"?"Router":"Instance"} ${l.name}${l.status?` (${l.status})`:""}</title>
        <rect x=${l.x-55} y=${l.y-16} width="110" height="32" rx=${l.kind==="router"?16:4} />
        <text x=${l.x} y=${l.y+5} text-anchor="middle">${l.kind==="router"?"\u21C4 ":""}${l.name.length>14?`${l.name.slice(0,13)}\u2026`:l.name}</text></a>`)}
    </svg></div>`}return p`<${y} title="Network topology" error=${e.error}>
    <p class="muted">Networks are the vertical bars; routers (rounded) and instances are joined to the networks they have ports on. Select a node to open it.</p>
    ${t?o:p`<p class="muted">Loading…</p>`}
  </${y}>`}var pe="/api/network/v2.0";function Vo({onClose:e,reload:t}){let[o,r]=m(""),[n,a]=m("");return p`<${g} title="Create security group" submit="Create" onClose=${e} reload=${t}
    onSubmit=${()=>x(`${pe}/security-groups`,{security_group:{name:o,description:n}})}>
    <${b} label="Group name" value=${o} onInput=${r} required />
    <${b} label="Description" value=${n} onInput=${a} />
  </${g}>`}function Mo({group:e,groups:t,onClose:o,reload:r}){let[n,a]=m({direction:"ingress",ethertype:"IPv4",protocol:"tcp",min:"",max:"",remote:"cidr",cidr:"0.0.0.0/0",rgroup:e.id}),s=u=>d=>a($=>({...$,[u]:d})),i=()=>{let u={security_group_id:e.id,direction:n.direction,ethertype:n.ethertype};return n.protocol!=="any"&&(u.protocol=n.protocol),n.min!==""&&(u.port_range_min=Number(n.min)),(n.max!==""||n.min!=="")&&(u.port_range_max=Number(n.max===""?n.min:n.max)),n.remote==="cidr"&&n.cidr&&(u.remote_ip_prefix=n.cidr),n.remote==="group"&&(u.remote_group_id=n.rgroup),x(`${pe}/security-group-rules`,{security_group_rule:u})},l=n.protocol==="tcp"||n.protocol==="udp";return p`<${g} title=${`Add rule to ${e.name}`} submit="Add rule" onClose=${o} reload=${r} onSubmit=${i}>
    <${b} label="Direction" value=${n.direction} onInput=${s("direction")} options=${[{value:"ingress",label:"Ingress"},{value:"egress",label:"Egress"}]} />
    <${b} label="Ether type" value=${n.ethertype} onInput=${s("ethertype")} options=${[{value:"IPv4",label:"IPv4"},{value:"IPv6",label:"IPv6"}]} />
    <${b} label="Protocol" value=${n.protocol} onInput=${s("protocol")} options=${["tcp","udp","icmp","any"].map(u=>({value:u,label:u}))} />
    ${l&&p`<${b} label="Port range from" type="number" min="1" max="65535" value=${n.min} onInput=${s("min")} />
      <${b} label="Port range to (empty: same)" type="number" min="1" max="65535" value=${n.max} onInput=${s("max")} />`}
    <${b} label="Remote" value=${n.remote} onInput=${s("remote")} options=${[{value:"cidr",label:"CIDR"},{value:"group",label:"Security group"}]} />
    ${n.remote==="cidr"?p`<${b} label="Remote CIDR" value=${n.cidr} onInput=${s("cidr")} />`:p`<${b} label="Remote security group" value=${n.rgroup} onInput=${s("rgroup")} options=${D(t)} />`}
  </${g}>`}var Yt=e=>{let t=e.port_range_min===null||e.port_range_min===void 0?"any port":e.port_range_min===e.port_range_max?`port ${e.port_range_min}`:`ports ${e.port_range_min}\u2013${e.port_range_max}`;return`${e.direction} ${e.ethertype} ${e.protocol||"any"} ${t}`};function Xt({session:e}){let[t,o]=m(null),[r,n]=m(null),a=w(()=>_(`${pe}/security-groups?project_id=${e.project.id}`).then(u=>u.security_groups)),s=a.data||[],i=u=>(s.find(d=>d.id===u)||{name:u}).name,l=()=>o(null);return p`<${y} title="Security groups" error=${r||a.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>o({kind:"create"})}>Create security group</button>`}>
    ${!a.data&&p`<p class="muted">Loading…</p>`}
    ${s.map(u=>p`<section class="card" aria-label=${`Security group ${u.name}`}>
      <div class="page-head"><h2>${u.name}</h2><div class="actions">
        <button type="button" class="small" aria-label=${`Add rule to ${u.name}`} onClick=${()=>o({kind:"rule",g:u})}>Add rule</button>
        <${S} label="Delete" name=${`group ${u.name}`} danger confirm=${`Delete security group ${u.name}?`}
          run=${()=>A(`${pe}/security-groups/${u.id}`)} reload=${a.reload} onError=${n} /></div></div>
      ${u.description&&p`<p class="muted">${u.description}</p>`}
      <${C} label=${`Rules of ${u.name}`} rows=${u.security_group_rules} empty="No rules." cols=${[{label:"Rule",get:Yt},{label:"Remote",get:d=>d.remote_ip_prefix||(d.remote_group_id?`group ${i(d.remote_group_id)}`:"anywhere")},{label:"Actions",get:d=>p`<${S} label="Delete" name=${`rule ${Yt(d)}`} danger run=${()=>A(`${pe}/security-group-rules/${d.id}`)}
          reload=${a.reload} onError=${n} />`}]} />
    </section>`)}
    ${t&&t.kind==="create"&&p`<${Vo} onClose=${l} reload=${a.reload} />`}
    ${t&&t.kind==="rule"&&p`<${Mo} group=${t.g} groups=${s} onClose=${l} reload=${a.reload} />`}
  </${y}>`}var ee="/api/network/v2.0";function Qt(){let[e,t]=m(null),[o,r]=m(null),[n,a]=m(""),s=w(async()=>{let[$,c,f]=await Promise.all([_(`${ee}/floatingips`),_(`${ee}/networks?router:external=true`),_(`${ee}/ports?device_owner=compute:nova`)]);return{fips:$.floatingips,externals:c.networks,ports:f.ports}}),i=s.data||{fips:null,externals:[],ports:[]},l=$=>`${$.fixed_ips.map(c=>c.ip_address).join(", ")} (${$.device_id.slice(0,8)})`,u=()=>t(null),d=[{label:"Address",get:$=>$.floating_ip_address},{label:"Mapped fixed address",get:$=>$.fixed_ip_address||"\u2014"},{label:"Status",get:$=>p`<${N} value=${$.status} />`},{label:"Actions",get:$=>p`<div class="row-actions">
        ${$.port_id?p`<${S} label="Disassociate" name=${$.floating_ip_address} run=${()=>L(`${ee}/floatingips/${$.id}`,{floatingip:{port_id:null}})} reload=${s.reload} onError=${r} />`:p`<button type="button" class="small" aria-label=${`Associate ${$.floating_ip_address}`} onClick=${()=>t({kind:"assoc",f:$})}>Associate</button>`}
        <${S} label="Release" name=${$.floating_ip_address} danger confirm=${`Release ${$.floating_ip_address}?`}
          run=${()=>A(`${ee}/floatingips/${$.id}`)} reload=${s.reload} onError=${r} /></div>`}];return p`<${y} title="Floating IPs" error=${o||s.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>t({kind:"alloc"})}>Allocate IP</button>`}>
    <${C} label="Floating IPs" rows=${i.fips} cols=${d} empty="No floating IPs." />
    ${e&&e.kind==="alloc"&&p`<${g} title="Allocate floating IP" submit="Allocate" onClose=${u} reload=${s.reload}
      onSubmit=${()=>x(`${ee}/floatingips`,{floatingip:{floating_network_id:n||i.externals[0]&&i.externals[0].id}})}>
      <${b} label="Pool (external network)" value=${n} onInput=${a} options=${D(i.externals)} required />
    </${g}>`}
    ${e&&e.kind==="assoc"&&p`<${g} title=${`Associate ${e.f.floating_ip_address}`} submit="Associate" onClose=${u} reload=${s.reload}
      onSubmit=${()=>L(`${ee}/floatingips/${e.f.id}`,{floatingip:{port_id:n||i.ports[0]&&i.ports[0].id}})}>
      <${b} label="Instance port" value=${n} onInput=${a} options=${D(i.ports,l)} required />
    </${g}>`}
  </${y}>`}var de="/api/object-store",Ee=e=>e.split("/").map(encodeURIComponent).join("/"),Jt=".r:*,.rlistings";function Bo(){let[e,t]=m(!1),[o,r]=m(null),[n,a]=m(""),[s,i]=m(!1),l=w(()=>_(`${de}?format=json`)),u=[{label:"Name",get:d=>p`<${T} href=${`/project/containers/${encodeURIComponent(d.name)}`}>${d.name}</${T}>`},{label:"Objects",get:d=>d.count},{label:"Size",get:d=>Z(d.bytes)},{label:"Actions",get:d=>p`<${S} label="Delete" name=${d.name} danger confirm=${`Delete container ${d.name}? It must be empty.`}
      run=${()=>A(`${de}/${encodeURIComponent(d.name)}`)} reload=${l.reload} onError=${r} />`}];return p`<${y} title="Containers" error=${o||l.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>t(!0)}>Create container</button>`}>
    <${C} label="Containers" rows=${l.data} cols=${u} rowId=${d=>d.name} empty="No containers." />
    ${e&&p`<${g} title="Create container" submit="Create" onClose=${()=>t(!1)} reload=${l.reload}
      onSubmit=${()=>L(`${de}/${encodeURIComponent(n)}`,"",{headers:s?{"X-Container-Read":Jt}:{}})}>
      <${b} label="Container name" value=${n} onInput=${a} required />
      <${b} label="Public (anyone may read and list)" type="checkbox" value=${s} onInput=${i} />
    </${g}>`}
  </${y}>`}function Oo({container:e,prefix:t,onClose:o,reload:r}){let[n,a]=m(null),[s,i]=m(null);return p`<${g} title="Upload object" submit="Upload" onClose=${o} reload=${r} onSubmit=${()=>(i(0),Se("PUT",`${de}/${encodeURIComponent(e)}/${Ee(t+n.name)}`,n,{"Content-Type":n.type||"application/octet-stream"},i))}>
    <${b} label="File" type="file" onInput=${a} required />
    ${s!==null&&p`<progress max="100" value=${Math.round(s*100)} aria-label="Upload progress"></progress>`}
  </${g}>`}function zo({container:e}){let t=new URLSearchParams(location.search).get("prefix")||"",[o,r]=m(null),[n,a]=m(null),[s,i]=m(""),l=`${de}/${encodeURIComponent(e)}`,u=w(async()=>{let[h,k]=await Promise.all([_(`${l}?format=json&delimiter=/&prefix=${encodeURIComponent(t)}`),J("HEAD",l,{raw:!0})]);return{list:h,read:k.headers.get("X-Container-Read")||""}},[e,t]),d=u.data,$=d&&d.read.includes(".r:*"),c=h=>V(`/project/containers/${encodeURIComponent(e)}${h?`?prefix=${encodeURIComponent(h)}`:""}`),f=[{label:"Name",get:h=>h.subdir?p`<a href=${`?prefix=${encodeURIComponent(h.subdir)}`} onClick=${k=>{k.preventDefault(),c(h.subdir)}}>📁 ${h.subdir.slice(t.length)}</a>`:p`<a href=${`${l}/${Ee(h.name)}`} download=${h.name.split("/").pop()}>${h.name.slice(t.length)}</a>`},{label:"Size",get:h=>h.subdir?"":Z(h.bytes)},{label:"Modified",get:h=>h.last_modified||""},{label:"Actions",get:h=>h.subdir?null:p`<${S} label="Delete" name=${h.name} danger confirm=${`Delete ${h.name}?`}
      run=${()=>A(`${l}/${Ee(h.name)}`)} reload=${u.reload} onError=${a} />`}],v=t.split("/").filter(Boolean),I=()=>r(null);return p`<${y} title=${`Container ${e}`} error=${n||u.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>r("upload")}>Upload object</button>
      <button type="button" onClick=${()=>r("folder")}>Create folder</button>
      ${d&&p`<${S} label=${$?"Make private":"Make public"} reload=${u.reload} onError=${a}
        run=${()=>x(l,"",{headers:{"X-Container-Read":$?"":Jt}})} />`}`}>
    <nav aria-label="Folder" class="crumbs"><${T} href="/project/containers">Containers</${T}> /
      <a href="?" onClick=${h=>{h.preventDefault(),c("")}}>${e}</a>
      ${v.map((h,k)=>p` / <a href="?" onClick=${E=>{E.preventDefault(),c(`${v.slice(0,k+1).join("/")}/`)}}>${h}</a>`)}
    </nav>
    ${$&&p`<p>Public: anyone can read this container's objects and list it.</p>`}
    <${C} label="Objects" rows=${d&&d.list} cols=${f} rowId=${h=>h.subdir||h.name} empty="This folder is empty." />
    ${o==="upload"&&p`<${Oo} container=${e} prefix=${t} onClose=${I} reload=${u.reload} />`}
    ${o==="folder"&&p`<${g} title="Create folder" submit="Create" onClose=${I} reload=${u.reload}
      onSubmit=${()=>L(`${l}/${Ee(`${t}${s}/`)}`,"",{headers:{"Content-Type":"application/directory"}})}>
      <${b} label="Folder name" value=${s} onInput=${i} required />
    </${g}>`}
  </${y}>`}function We({params:e}){return e.name?p`<${zo} container=${e.name} />`:p`<${Bo} />`}function Zt(){let e=w(()=>_("/api/_endpoints")),t=(e.data||[]).filter(o=>o.interface==="public");return p`<${y} title="API access" error=${e.error}
    actions=${p`<a class="button" href="/auth/openrc" download>Download openrc</a>
      <a class="button" href="/auth/clouds.yaml" download>Download clouds.yaml</a>`}>
    <${C} label="Endpoints" rows=${e.data&&t} rowId=${o=>o.url+o.type} cols=${[{label:"Service",get:o=>o.type},{label:"Name",get:o=>o.name},{label:"Region",get:o=>o.region},{label:"URL",get:o=>p`<code>${o.url}</code>`}]} />
  </${y}>`}var R="/api/identity";function Ho({project:e,onClose:t}){let[o,r]=m(null),n=w(async()=>{let[l,u,d]=await Promise.all([_(`/api/compute/os-quota-sets/${e.id}`),_(`/api/network/v2.0/quotas/${e.id}`),_(`/api/volumev3/os-quota-sets/${e.id}`).catch(()=>({quota_set:{}}))]),$={instances:l.quota_set.instances,cores:l.quota_set.cores,ram:l.quota_set.ram,networks:u.quota.network,ports:u.quota.port,floatingips:u.quota.floatingip,volumes:d.quota_set.volumes,gigabytes:d.quota_set.gigabytes};return r($),$}),a=l=>u=>r(d=>({...d,[l]:u})),s=async()=>{await L(`/api/compute/os-quota-sets/${e.id}`,{quota_set:{instances:o.instances,cores:o.cores,ram:o.ram}}),await L(`/api/network/v2.0/quotas/${e.id}`,{quota:{network:o.networks,port:o.ports,floatingip:o.floatingips}}),o.volumes!==void 0&&await L(`/api/volumev3/os-quota-sets/${e.id}`,{quota_set:{volumes:o.volumes,gigabytes:o.gigabytes}})},i={instances:"Instances",cores:"VCPUs",ram:"RAM (MiB)",networks:"Networks",ports:"Ports",floatingips:"Floating IPs",volumes:"Volumes",gigabytes:"Volume storage (GiB)"};return p`<${g} title=${`Quotas of ${e.name}`} onClose=${t} onSubmit=${s}>
    ${n.error&&p`<div class="error" role="alert">${n.error.message}</div>`}
    ${o&&Object.entries(i).filter(([l])=>o[l]!==void 0).map(([l,u])=>p`<${b} label=${u} type="number" min="-1" value=${o[l]} onInput=${a(l)} />`)}
  </${g}>`}function eo(){let[e,t]=m(null),[o,r]=m(null),[n,a]=m({name:"",description:""}),s=w(()=>_(`${R}/projects`).then(u=>u.projects)),i=()=>t(null),l=[{label:"Name",get:u=>u.name},{label:"Description",get:u=>u.description},{label:"Enabled",get:u=>u.enabled?"Yes":"No"},{label:"Actions",get:u=>p`<div class="row-actions">
      <button type="button" class="small" aria-label=${`Quotas of ${u.name}`} onClick=${()=>t({kind:"quota",p:u})}>Quotas</button>
      <${S} label=${u.enabled?"Disable":"Enable"} name=${u.name} run=${()=>Ce(`${R}/projects/${u.id}`,{project:{enabled:!u.enabled}})} reload=${s.reload} onError=${r} />
      <${S} label="Delete" name=${u.name} danger confirm=${`Delete project ${u.name}?`} run=${()=>A(`${R}/projects/${u.id}`)} reload=${s.reload} onError=${r} />
    </div>`}];return p`<${y} title="Projects" error=${o||s.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>t({kind:"create"})}>Create project</button>`}>
    <${C} label="Projects" rows=${s.data} cols=${l} />
    ${e&&e.kind==="create"&&p`<${g} title="Create project" submit="Create" onClose=${i} reload=${s.reload}
      onSubmit=${()=>x(`${R}/projects`,{project:{name:n.name,description:n.description,domain_id:"default",enabled:!0}})}>
      <${b} label="Project name" value=${n.name} onInput=${u=>a({...n,name:u})} required />
      <${b} label="Description" value=${n.description} onInput=${u=>a({...n,description:u})} />
    </${g}>`}
    ${e&&e.kind==="quota"&&p`<${Ho} project=${e.p} onClose=${i} />`}
  </${y}>`}function Go({user:e,onClose:t,reload:o}){let r=w(async()=>{let[d,$]=await Promise.all([_(`${R}/projects`),_(`${R}/roles`)]);return{projects:d.projects,roles:$.roles}}),[n,a]=m(""),[s,i]=m(""),l=r.data||{projects:[],roles:[]},u=l.roles.find(d=>d.name==="member")||l.roles[0];return p`<${g} title=${`Assign role to ${e.name}`} submit="Assign" onClose=${t} reload=${o}
    onSubmit=${()=>L(`${R}/projects/${n||l.projects[0].id}/users/${e.id}/roles/${s||u.id}`)}>
    <${b} label="Project" value=${n} onInput=${a} options=${D(l.projects)} required />
    <${b} label="Role" value=${s||u&&u.id} onInput=${i} options=${D(l.roles)} required />
  </${g}>`}function to(){let[e,t]=m(null),[o,r]=m(null),[n,a]=m({name:"",password:"",email:""}),s=w(async()=>{let[d,$]=await Promise.all([_(`${R}/users`),_(`${R}/role_assignments?include_names=true`)]);return d.users.map(c=>({...c,assignments:$.role_assignments.filter(f=>f.user&&f.user.id===c.id)}))}),i=()=>t(null),l=[{label:"Name",get:d=>d.name},{label:"Email",get:d=>d.email||""},{label:"Roles",get:d=>d.assignments.map($=>`${$.role.name} on ${$.scope.project?$.scope.project.name:$.scope.domain?`domain ${$.scope.domain.name}`:"system"}`).join(", ")},{label:"Enabled",get:d=>d.enabled?"Yes":"No"},{label:"Actions",get:d=>p`<div class="row-actions">
      <button type="button" class="small" aria-label=${`Assign role to ${d.name}`} onClick=${()=>t({kind:"assign",u:d})}>Assign role</button>
      <${S} label="Delete" name=${d.name} danger confirm=${`Delete user ${d.name}?`} run=${()=>A(`${R}/users/${d.id}`)} reload=${s.reload} onError=${r} />
    </div>`}],u=()=>{let d={name:n.name,password:n.password,domain_id:"default",enabled:!0};return n.email&&(d.email=n.email),x(`${R}/users`,{user:d})};return p`<${y} title="Users" error=${o||s.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>t({kind:"create"})}>Create user</button>`}>
    <${C} label="Users" rows=${s.data} cols=${l} />
    ${e&&e.kind==="create"&&p`<${g} title="Create user" submit="Create" onClose=${i} reload=${s.reload} onSubmit=${u}>
      <${b} label="User name" value=${n.name} onInput=${d=>a({...n,name:d})} required />
      <${b} label="Email" type="email" value=${n.email} onInput=${d=>a({...n,email:d})} />
      <${b} label="Password" type="password" value=${n.password} onInput=${d=>a({...n,password:d})} required autocomplete="new-password" />
    </${g}>`}
    ${e&&e.kind==="assign"&&p`<${Go} user=${e.u} onClose=${i} reload=${s.reload} />`}
  </${y}>`}function oo(){let[e,t]=m(null),[o,r]=m(null),[n,a]=m(""),[s,i]=m(""),l=w(async()=>{let[$,c]=await Promise.all([_(`${R}/groups`),_(`${R}/users`)]),f=await Promise.all($.groups.map(v=>_(`${R}/groups/${v.id}/users`).then(I=>I.users)));return{groups:$.groups.map((v,I)=>({...v,members:f[I]})),users:c.users}}),u=l.data||{groups:null,users:[]},d=()=>t(null);return p`<${y} title="Groups" error=${o||l.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>t({kind:"create"})}>Create group</button>`}>
    <${C} label="Groups" rows=${u.groups} empty="No groups." cols=${[{label:"Name",get:$=>$.name},{label:"Members",get:$=>p`<ul class="plain">${$.members.map(c=>p`<li>${c.name}
        <${S} label="Remove" name=${`${c.name} from ${$.name}`} danger run=${()=>A(`${R}/groups/${$.id}/users/${c.id}`)} reload=${l.reload} onError=${r} /></li>`)}</ul>`},{label:"Actions",get:$=>p`<div class="row-actions">
        <button type="button" class="small" aria-label=${`Add user to ${$.name}`} onClick=${()=>t({kind:"add",g:$})}>Add user</button>
        <${S} label="Delete" name=${$.name} danger confirm=${`Delete group ${$.name}?`} run=${()=>A(`${R}/groups/${$.id}`)} reload=${l.reload} onError=${r} /></div>`}]} />
    ${e&&e.kind==="create"&&p`<${g} title="Create group" submit="Create" onClose=${d} reload=${l.reload}
      onSubmit=${()=>x(`${R}/groups`,{group:{name:n,domain_id:"default"}})}>
      <${b} label="Group name" value=${n} onInput=${a} required />
    </${g}>`}
    ${e&&e.kind==="add"&&p`<${g} title=${`Add user to ${e.g.name}`} submit="Add" onClose=${d} reload=${l.reload}
      onSubmit=${()=>L(`${R}/groups/${e.g.id}/users/${s||u.users[0].id}`)}>
      <${b} label="User" value=${s} onInput=${i} options=${D(u.users)} required />
    </${g}>`}
  </${y}>`}function no(){let[e,t]=m(!1),[o,r]=m(null),[n,a]=m(""),s=w(async()=>{let[d,$]=await Promise.all([_(`${R}/roles`),_(`${R}/role_assignments?include_names=true`)]);return{roles:d.roles,assignments:$.role_assignments}}),i=s.data||{roles:null,assignments:null},l=d=>d.user?`user ${d.user.name}`:d.group?`group ${d.group.name}`:"?",u=d=>d.scope.project?`project ${d.scope.project.name}`:d.scope.domain?`domain ${d.scope.domain.name}`:"system";return p`<${y} title="Roles" error=${o||s.error}
    actions=${p`<button type="button" class="primary" onClick=${()=>t(!0)}>Create role</button>`}>
    <${C} label="Roles" rows=${i.roles} cols=${[{label:"Name",get:d=>d.name},{label:"Actions",get:d=>p`<${S} label="Delete" name=${d.name} danger confirm=${`Delete role ${d.name}?`} run=${()=>A(`${R}/roles/${d.id}`)} reload=${s.reload} onError=${r} />`}]} />
    <h2>Role assignments</h2>
    <${C} label="Role assignments" rows=${i.assignments} rowId=${d=>`${l(d)}${d.role.id}${u(d)}`} cols=${[{label:"Who",get:l},{label:"Role",get:d=>d.role.name},{label:"Where",get:u}]} />
    ${e&&p`<${g} title="Create role" submit="Create" onClose=${()=>t(!1)} reload=${s.reload}
      onSubmit=${()=>x(`${R}/roles`,{role:{name:n}})}>
      <${b} label="Role name" value=${n} onInput=${a} required />
    </${g}>`}
  </${y}>`}function W({title:e,load:t,cols:o,every:r=0,actions:n,children:a,rowId:s}){let i=w(t,[],r);return p`<${y} title=${e} error=${i.error} actions=${n&&n(i)}>
    ${!(i.error&&!i.data)&&p`<${C} label=${e} rows=${i.data} cols=${typeof o=="function"?o(i):o} rowId=${s} />`}
    ${a&&a(i)}
  </${y}>`}function ao(){return p`<${W} title="Hypervisors" every=${5e3} load=${()=>_("/api/compute/os-hypervisors/detail").then(e=>e.hypervisors)} cols=${[{label:"Host",get:e=>e.hypervisor_hostname},{label:"Type",get:e=>e.hypervisor_type},{label:"State",get:e=>p`<${N} value=${e.state} />`},{label:"Status",get:e=>p`<${N} value=${e.status} />`},{label:"VCPUs (used / total)",get:e=>e.vcpus===void 0?"\u2014":`${e.vcpus_used} / ${e.vcpus}`},{label:"RAM (used / total)",get:e=>e.memory_mb===void 0?"\u2014":`${e.memory_mb_used} / ${e.memory_mb} MiB`},{label:"Instances",get:e=>e.running_vms===void 0?(e.servers||[]).length:e.running_vms}]} />`}function ro({session:e}){let t=w(()=>e.services.includes("network")?_("/api/network/v2.0/agents").then(o=>o.agents):Promise.resolve([]));return p`<${W} title="System services" every=${5e3} load=${()=>_("/api/compute/os-services").then(o=>o.services)} cols=${[{label:"Service",get:o=>o.binary},{label:"Host",get:o=>o.host},{label:"Zone",get:o=>o.zone},{label:"Status",get:o=>p`<${N} value=${o.status} />`},{label:"State",get:o=>p`<${N} value=${o.state} />`},{label:"Updated",get:o=>o.updated_at}]}>${()=>p`<h2>Network agents</h2>
    ${t.error&&p`<div class="error" role="alert">${t.error.message}</div>`}
    <${C} label="Network agents" rows=${t.data} empty="No network agents." cols=${[{label:"Agent",get:o=>o.agent_type},{label:"Binary",get:o=>o.binary},{label:"Host",get:o=>o.host},{label:"Alive",get:o=>p`<${N} value=${o.alive?"UP":"DOWN"} />`},{label:"Admin state",get:o=>o.admin_state_up?"Up":"Down"}]} />`}</${W}>`}function so(){let[e,t]=m(null),[o,r]=m(!1),[n,a]=m({name:"",vcpus:1,ram:512,disk:1,public:!0}),s=i=>l=>a(u=>({...u,[i]:l}));return p`<${W} title="Flavors" load=${()=>_("/api/compute/flavors/detail?is_public=None").then(i=>i.flavors)}
    actions=${()=>p`<button type="button" class="primary" onClick=${()=>r(!0)}>Create flavor</button>`}
    cols=${i=>[{label:"Name",get:l=>l.name},{label:"VCPUs",get:l=>l.vcpus},{label:"RAM",get:l=>`${l.ram} MiB`},{label:"Disk",get:l=>`${l.disk} GiB`},{label:"Public",get:l=>l["os-flavor-access:is_public"]?"Yes":"No"},{label:"Actions",get:l=>p`<${S} label="Delete" name=${l.name} danger confirm=${`Delete flavor ${l.name}?`}
        run=${()=>A(`/api/compute/flavors/${l.id}`)} reload=${i.reload} onError=${t} />`}]}>${i=>p`<${Wo} error=${e} />
      ${o&&p`<${g} title="Create flavor" submit="Create" onClose=${()=>r(!1)} reload=${i.reload}
        onSubmit=${()=>x("/api/compute/flavors",{flavor:{name:n.name,vcpus:n.vcpus,ram:n.ram,disk:n.disk,"os-flavor-access:is_public":n.public}})}>
        <${b} label="Flavor name" value=${n.name} onInput=${s("name")} required />
        <${b} label="VCPUs" type="number" min="1" value=${n.vcpus} onInput=${s("vcpus")} />
        <${b} label="RAM (MiB)" type="number" min="1" value=${n.ram} onInput=${s("ram")} />
        <${b} label="Root disk (GiB)" type="number" min="0" value=${n.disk} onInput=${s("disk")} />
        <${b} label="Public" type="checkbox" value=${n.public} onInput=${s("public")} />
      </${g}>`}`}</${W}>`}function Wo({error:e}){return e?p`<div class="error" role="alert">${e.status?`${e.status} `:""}${e.message}</div>`:null}function lo(){return p`<${W} title="All instances" every=${3e3} load=${()=>_("/api/compute/servers/detail?all_tenants=1").then(e=>e.servers)} cols=${[{label:"Name",get:e=>e.name},{label:"Project",get:e=>e.tenant_id},{label:"Host",get:e=>e["OS-EXT-SRV-ATTR:host"]||"\u2014"},{label:"Status",get:e=>p`<${N} value=${e.status} />`},{label:"Flavor",get:e=>e.flavor&&e.flavor.original_name}]} />`}function io(){return p`<${W} title="All images" load=${()=>_("/api/image/v2/images?limit=1000&visibility=all").then(e=>e.images)} cols=${[{label:"Name",get:e=>e.name||e.id},{label:"Owner",get:e=>e.owner},{label:"Visibility",get:e=>e.visibility},{label:"Status",get:e=>p`<${N} value=${e.status} />`},{label:"Size",get:e=>Z(e.size)}]} />`}function uo(){return p`<${W} title="All volumes" load=${()=>_("/api/volumev3/volumes/detail?all_tenants=1").then(e=>e.volumes)} cols=${[{label:"Name",get:e=>e.name||e.id},{label:"Project",get:e=>e["os-vol-tenant-attr:tenant_id"]||""},{label:"Size",get:e=>`${e.size} GiB`},{label:"Status",get:e=>p`<${N} value=${e.status} />`}]} />`}function co(){return p`<${W} title="All networks" load=${()=>_("/api/network/v2.0/networks").then(e=>e.networks)} cols=${[{label:"Name",get:e=>e.name},{label:"Project",get:e=>e.project_id},{label:"Shared",get:e=>e.shared?"Yes":"No"},{label:"External",get:e=>e["router:external"]?"Yes":"No"},{label:"Status",get:e=>p`<${N} value=${e.status} />`}]} />`}function j(e,t,o=e){let r=[],n=new RegExp(`^${e.replace(/:(\w+)/g,(a,s)=>(r.push(s),"([^/]+)"))}/?$`);return{page:t,nav:o,match:a=>n.test(a),params:a=>{let s=n.exec(a);return Object.fromEntries(r.map((i,l)=>[i,decodeURIComponent(s[l+1])]))}}}var Ke=[j("/project",Nt),j("/project/instances",Ft),j("/project/instances/:id",Ut,"/project/instances"),j("/project/images",Lt),j("/project/keypairs",qt),j("/project/volumes",Vt),j("/project/networks",Ot),j("/project/networks/:id",zt,"/project/networks"),j("/project/routers",Ht),j("/project/topology",Kt),j("/project/security-groups",Xt),j("/project/floating-ips",Qt),j("/project/containers",We),j("/project/containers/:name",We,"/project/containers"),j("/project/api-access",Zt),j("/identity/projects",eo),j("/identity/users",to),j("/identity/groups",oo),j("/identity/roles",no),j("/admin/hypervisors",ao),j("/admin/services",ro),j("/admin/flavors",so),j("/admin/instances",lo),j("/admin/images",io),j("/admin/volumes",uo),j("/admin/networks",co)],po=[{title:"Project",items:[["/project","Overview"],["/project/instances","Instances"],["/project/images","Images"],["/project/keypairs","Key pairs"],["/project/volumes","Volumes"],["/project/topology","Network topology"],["/project/networks","Networks"],["/project/routers","Routers"],["/project/security-groups","Security groups"],["/project/floating-ips","Floating IPs"],["/project/containers","Object store"],["/project/api-access","API access"]]},{title:"Admin",admin:!0,items:[["/admin/hypervisors","Hypervisors"],["/admin/services","System services"],["/admin/flavors","Flavors"],["/admin/instances","All instances"],["/admin/images","All images"],["/admin/volumes","All volumes"],["/admin/networks","All networks"]]},{title:"Identity",admin:!0,items:[["/identity/projects","Projects"],["/identity/users","Users"],["/identity/groups","Groups"],["/identity/roles","Roles"]]}];function Ko(){let[e,t]=m(void 0),[o,r]=m(location.pathname),[n,a]=m(!1),[s,i]=m(null),l=v=>{Ct(v&&v.csrf),t(v)};if(oe(()=>{_("/auth/session").then(l,()=>l(null));let v=()=>{r(location.pathname),a(!1),requestAnimationFrame(()=>{let h=document.getElementById("page-title");h&&h.focus({preventScroll:!0})})},I=()=>l(null);return window.addEventListener("popstate",v),window.addEventListener("gostack:navigate",v),window.addEventListener("gostack:logged-out",I),()=>{window.removeEventListener("popstate",v),window.removeEventListener("gostack:navigate",v),window.removeEventListener("gostack:logged-out",I)}},[]),e===void 0)return p`<main class="boot" aria-busy="true">Loading…</main>`;if(!e)return p`<${Pt} onLogin=${v=>{l(v),location.pathname==="/login"&&V("/project")}} />`;let u=async v=>{try{l(await x("/auth/project",{project_id:v})),i(null)}catch(I){i(I)}},d=async()=>{try{await x("/auth/logout")}finally{l(null),history.replaceState(null,"","/"),r("/")}},$=Ke.find(v=>v.match(o))||Ke[0],c=$.page,f=po.filter(v=>!v.admin||e.is_admin);return p`<div class=${n?"app nav-open":"app"}>
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <button type="button" class="nav-toggle" aria-expanded=${n} aria-controls="nav"
        onClick=${()=>a(!n)}>☰<span class="sr">Menu</span></button>
      <${T} href="/project" class="brand">gostack</${T}>
      <label class="project-switch"><span class="sr">Current project</span>
        <select value=${e.project.id} onChange=${v=>u(v.target.value)}>
          ${e.projects.map(v=>p`<option value=${v.id} selected=${v.id===e.project.id}>${v.name}</option>`)}
        </select></label>
      <span class="who">${e.user.name}</span>
      <button type="button" class="small" onClick=${d}>Log out</button>
    </header>
    <nav id="nav" aria-label="Main">
      ${f.map(v=>p`<div class="nav-section"><h2>${v.title}</h2><ul>
        ${v.items.map(([I,h])=>p`<li><${T} href=${I} aria-current=${$.nav===I?"page":void 0}>${h}</${T}></li>`)}
      </ul></div>`)}
    </nav>
    <main id="main">
      <${q} error=${s} />
      <${c} key=${o+e.project.id} session=${e} params=${$.params(o)} />
    </main>
  </div>`}pt(p`<${Ko} />`,document.getElementById("app"));
