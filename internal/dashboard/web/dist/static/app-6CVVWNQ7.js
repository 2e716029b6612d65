var Se,N,rt,Co,oe,et,at,st,Fe,he,pe,lt,qe,Ue,Le,So,we={},xe=[],Io=/acit|ex(?:s|g|n|p|$)|rph|grid|ows|mnc|ntw|ine[ch]|zoo|^ord|itera/i,Ie=Array.isArray;function Q(e,t){for(var o in t)e[o]=t[o];return e}function Me(e){e&&e.parentNode&&e.parentNode.removeChild(e)}function Ve(e,t,o){var a,n,r,s={};for(r in t)r=="key"?a=t[r]:r=="ref"?n=t[r]:s[r]=t[r];if(arguments.length>2&&(s.children=arguments.length>3?Se.call(arguments,2):o),typeof e=="function"&&e.defaultProps!=null)for(r in e.defaultProps)s[r]===void 0&&(s[r]=e.defaultProps[r]);return ye(e,s,a,n,null)}function ye(e,t,o,a,n){var r={type:e,props:t,key:o,ref:a,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:n??++rt,__i:-1,__u:0};return n==null&&N.vnode!=null&&N.vnode(r),r}function Ee(e){return e.children}function ke(e,t){this.props=e,this.context=t}function se(e,t){if(t==null)return e.__?se(e.__,e.__i+1):null;for(var o;t<e.__k.length;t++)if((o=e.__k[t])!=null&&o.__e!=null)return o.__e;return typeof e.type=="function"?se(e):null}function Eo(e){if(e.__P&&e.__d){var t=e.__v,o=t.__e,a=[],n=[],r=Q({},t);r.__v=t.__v+1,N.vnode&&N.vnode(r),Be(e.__P,r,t,e.__n,e.__P.namespaceURI,32&t.__u?[o]:null,a,o??se(t),!!(32&t.__u),n),r.__v=t.__v,r.__.__k[r.__i]=r,dt(a,r,n),t.__e=t.__=null,r.__e!=o&&it(r)}}function it(e){if((e=e.__)!=null&&e.__c!=null)return e.__e=e.__c.base=null,e.__k.some(function(t){if(t!=null&&t.__e!=null)return e.__e=e.__c.base=t.__e}),it(e)}function tt(e){(!e.__d&&(e.__d=!0)&&oe.push(e)&&!Ce.__r++||et!=N.debounceRendering)&&((et=N.debounceRendering)||at)(Ce)}function Ce(){try{for(var e,t=1;oe.length;)oe.length>t&&oe.sort(st),e=oe.shift(),t=oe.length,Eo(e)}finally{oe.length=Ce.__r=0}}function ut(e,t,o,a,n,r,s,p,l,i,d){var $,u,f,b,k,v,P=a&&a.__k||xe,E=t.length;for(l=Ao(o,t,P,l,E),$=0;$<E;$++)(f=o.__k[$])!=null&&(u=f.__i!=-1&&P[f.__i]||we,f.__i=$,v=Be(e,f,u,n,r,s,p,l,i,d),b=f.__e,f.ref&&u.ref!=f.ref&&(u.ref&&ze(u.ref,null,f),d.push(f.ref,f.__c||b,f)),k==null&&b!=null&&(k=b),4&f.__u?(l=ct(f,l,e),u.__e&&(u.__e=null)):typeof f.type=="function"&&v!==void 0?l=v:b&&(l=b.nextSibling),f.__u&=-7);return o.__e=k,l}function Ao(e,t,o,a,n){var r,s,p,l,i,d=o.length,$=d,u=0;for(e.__k=new Array(n),r=0;r<n;r++)(s=t[r])!=null&&typeof s!="boolean"&&typeof s!="function"?(typeof s=="string"||typeof s=="number"||typeof s=="bigint"||s.constructor==String?s=e.__k[r]=ye(null,s,null,null,null):Ie(s)?s=e.__k[r]=ye(Ee,{children:s},null,null,null):s.constructor===void 0&&s.__b>0?s=e.__k[r]=ye(s.type,s.props,s.key,s.ref?s.ref:null,s.__v):e.__k[r]=s,l=r+u,s.__=e,s.__b=e.__b+1,p=null,(i=s.__i=Po(s,o,l,$))!=-1&&($--,(p=o[i])&&(p.__u|=2)),p==null||p.__v==null?(i==-1&&(n>d?u--:n<d&&u++),typeof s.type!="function"&&(s.__u|=4)):i!=l&&(i==l-1?u--:i==l+1?u++:(i>l?u--:u++,s.__u|=4))):e.__k[r]=null;if($)for(r=0;r<d;r++)(p=o[r])!=null&&(2&p.__u)==0&&(p.__e==a&&(a=se(p)),mt(p,p));return a}function ct(e,t,o){var a,n;if(typeof e.type=="function"){for(a=e.__k,n=0;a&&n<a.length;n++)a[n]&&(a[n].__=e,t=ct(a[n],t,o));return t}e.__e!=t&&(t&&e.type&&!t.parentNode&&(t=se(e)),t=o.insertBefore(e.__e,t||null));do t=t&&t.nextSibling;while(t!=null&&t.nodeType==8);return t}function Po(e,t,o,a){var n,r,s,p=e.key,l=e.type,i=t[o],d=i!=null&&(2&i.__u)==0;if(i===null&&p==null||d&&p==i.key&&l==i.type)return o;if(a>(d?1:0)){for(n=o-1,r=o+1;n>=0||r<t.length;)if((i=t[s=n>=0?n--:r++])!=null&&(2&i.__u)==0&&p==i.key&&l==i.type)return s}return-1}function ot(e,t,o){t[0]=="-"?e.setProperty(t,o??""):e[t]=o==null?"":typeof o!="number"||Io.test(t)?o:o+"px"}function ve(e,t,o,a,n){var r,s;e:if(t=="style")if(typeof o=="string")e.style.cssText=o;else{if(typeof a=="string"&&(e.style.cssText=a=""),a)for(t in a)o&&t in o||ot(e.style,t,"");if(o)for(t in o)a&&o[t]==a[t]||ot(e.style,t,o[t])}else if(t[0]=="o"&&t[1]=="n")r=t!=(t=t.replace(lt,"$1")),s=t.toLowerCase(),t=s in e||t=="onFocusOut"||t=="onFocusIn"?s.slice(2):t.slice(2),e.l||(e.l={}),e.l[t+r]=o,o?a?o[pe]=a[pe]:(o[pe]=qe,e.addEventListener(t,r?Le:Ue,r)):e.removeEventListener(t,r?Le:Ue,r);else{if(n=="http://www.w3.org/2000/svg")t=t.replace(/xlink(H|:h)/,"h").replace(/sName$/,"s");else if(t!="width"&&t!="height"&&t!="href"&&t!="list"&&t!="form"&&t!="tabIndex"&&t!="download"&&t!="rowSpan"&&t!="colSpan"&&t!="role"&&t!="popover"&&t in e)try{e[t]=o??"";break e}catch{}typeof o=="function"||(o==null||o===!1&&t[4]!="-"?e.removeAttribute(t):e.setAttribute(t,t=="popover"&&o==1?"":o))}}function nt(e){return function(t){if(this.l){var o=this.l[t.type+e];if(t[he]==null)t[he]=qe++;else if(t[he]<o[pe])return;return o(N.event?N.event(t):t)}}}function Be(e,t,o,a,n,r,s,p,l,i){var d,$,u,f,b,k,v,P,E,G,ee,Y,z,w,U,B,V=t.type;if(t.constructor!==void 0)return null;128&o.__u&&(l=!!(32&o.__u),r=[p=t.__e=o.__e]),(d=N.__b)&&d(t);e:if(typeof V=="function"){$=s.length;try{if(E=t.props,G=V.prototype&&V.prototype.render,ee=(d=V.contextType)&&a[d.__c],Y=d?ee?ee.props.value:d.__:a,o.__c?P=(u=t.__c=o.__c).__=u.__E:(G?t.__c=u=new V(E,Y):(t.__c=u=new ke(E,Y),u.constructor=V,u.render=No),ee&&ee.sub(u),u.state||(u.state={}),u.__n=a,f=u.__d=!0,u.__h=[],u._sb=[]),G&&u.__s==null&&(u.__s=u.state),G&&V.getDerivedStateFromProps!=null&&(u.__s==u.state&&(u.__s=Q({},u.__s)),Q(u.__s,V.getDerivedStateFromProps(E,u.__s))),b=u.props,k=u.state,u.__v=t,f)G&&V.getDerivedStateFromProps==null&&u.componentWillMount!=null&&u.componentWillMount(),G&&u.componentDidMount!=null&&u.__h.push(u.componentDidMount);else{if(G&&V.getDerivedStateFromProps==null&&E!==b&&u.componentWillReceiveProps!=null&&u.componentWillReceiveProps(E,Y),t.__v==o.__v||!u.__e&&u.shouldComponentUpdate!=null&&u.shouldComponentUpdate(E,u.__s,Y)===!1){t.__v!=o.__v&&(u.props=E,u.state=u.__s,u.__d=!1),t.__e=o.__e,t.__k=o.__k,t.__k.some(function(te){te&&(te.__=t)}),xe.push.apply(u.__h,u._sb),u._sb=[],u.__h.length&&s.push(u),p=se(o);break e}u.componentWillUpdate!=null&&u.componentWillUpdate(E,u.__s,Y),G&&u.componentDidUpdate!=null&&u.__h.push(function(){u.componentDidUpdate(b,k,v)})}if(u.context=Y,u.props=E,u.__P=e,u.__e=!1,z=N.__r,w=0,G)u.state=u.__s,u.__d=!1,z&&z(t),d=u.render(u.props,u.state,u.context),xe.push.apply(u.__h,u._sb),u._sb=[];else do u.__d=!1,z&&z(t),d=u.render(u.props,u.state,u.context),u.state=u.__s;while(u.__d&&++w<25);u.state=u.__s,u.getChildContext!=null&&(a=Q(Q({},a),u.getChildContext())),G&&!f&&u.getSnapshotBeforeUpdate!=null&&(v=u.getSnapshotBeforeUpdate(b,k)),U=d!=null&&d.type===Ee&&d.key==null?$t(d.props.children):d,p=ut(e,Ie(U)?U:[U],t,o,a,n,r,s,p,l,i),u.base=t.__e,t.__u&=-161,u.__h.length&&s.push(u),P&&(u.__E=u.__=null)}catch(te){if(s.length=$,t.__v=null,l||r!=null){if(te.then){for(t.__u|=l?160:128;p&&p.nodeType==8&&p.nextSibling;)p=p.nextSibling;r!=null&&(r[r.indexOf(p)]=null),t.__e=p}else if(r!=null)for(B=r.length;B--;)Me(r[B])}else t.__e=o.__e;t.__k==null&&(t.__k=o.__k||[]),te.then||pt(t),N.__e(te,t,o)}}else r==null&&t.__v==o.__v?(t.__k=o.__k,t.__e=o.__e):p=t.__e=jo(o.__e,t,o,a,n,r,s,l,i);return(d=N.diffed)&&d(t),128&t.__u?void 0:p}function pt(e){e&&(e.__c&&(e.__c.__e=!0),e.__k&&e.__k.some(pt))}function dt(e,t,o){for(var a=0;a<o.length;a++)ze(o[a],o[++a],o[++a]);N.__c&&N.__c(t,e),e.some(function(n){try{e=n.__h,n.__h=[],e.some(function(r){r.call(n)})}catch(r){N.__e(r,n.__v)}})}function $t(e){return typeof e!="object"||e==null||e.__b>0?e:Ie(e)?e.map($t):e.constructor!==void 0?null:Q({},e)}function jo(e,t,o,a,n,r,s,p,l){var i,d,$,u,f,b,k,v=o.props||we,P=t.props,E=t.type;if(E=="svg"?n="http://www.w3.org/2000/svg":E=="math"?n="http://www.w3.org/1998/Math/MathML":n||(n="http://www.w3.org/1999/xhtml"),r!=null){for(i=0;i<r.length;i++)if((f=r[i])&&"setAttribute"in f==!!E&&(E?f.localName==E:f.nodeType==3)){e=f,r[i]=null;break}}if(e==null){if(E==null)return document.createTextNode(P);e=document.createElementNS(n,E,P.is&&P),p&&(N.__m&&N.__m(t,r),p=!1),r=null}if(E==null)v===P||p&&e.data==P||(e.data=P);else{if(r=E=="textarea"&&P.defaultValue!=null?null:r&&Se.call(e.childNodes),!p&&r!=null)for(v={},i=0;i<e.attributes.length;i++)v[(f=e.attributes[i]).name]=f.value;for(i in v)f=v[i],i=="dangerouslySetInnerHTML"?$=f:i=="children"||i in P||i=="value"&&"defaultValue"in P||i=="checked"&&"defaultChecked"in P||ve(e,i,null,f,n);for(i in P)f=P[i],i=="children"?u=f:i=="dangerouslySetInnerHTML"?d=f:i=="value"?b=f:i=="checked"?k=f:p&&typeof f!="function"||v[i]===f||ve(e,i,f,v[i],n);if(d)p||$&&(d.__html==$.__html||d.__html==e.innerHTML)||(e.innerHTML=d.__html),t.__k=[];else if($&&(e.innerHTML=""),ut(t.type=="template"?e.content:e,Ie(u)?u:[u],t,o,a,E=="foreignObject"?"http://www.w3.org/1999/xhtml":n,r,s,r?r[0]:o.__k&&se(o,0),p,l),r!=null)for(i=r.length;i--;)Me(r[i]);p&&E!="textarea"||(i="value",E=="progress"&&b==null?e.removeAttribute("value"):b!=null&&(b!==e[i]||E=="progress"&&!b||E=="option"&&b!=v[i])&&ve(e,i,b,v[i],n),i="checked",k!=null&&k!=e[i]&&ve(e,i,k,v[i],n))}return e}function ze(e,t,o){try{if(typeof e=="function"){var a=typeof e.__u=="function";a&&e.__u(),a&&t==null||(e.__u=e(t))}else e.current=t}catch(n){N.__e(n,o)}}function mt(e,t,o){var a,n;if(N.unmount&&N.unmount(e),(a=e.ref)&&(a.current&&a.current!=e.__e||ze(a,null,t)),(a=e.__c)!=null){if(a.componentWillUnmount)try{a.componentWillUnmount()}catch(r){N.__e(r,t)}a.base=a.__P=a.__n=null}if(a=e.__k)for(n=0;n<a.length;n++)a[n]&&mt(a[n],t,o||typeof e.type!="function");o||Me(e.__e),e.__c=e.__=e.__e=void 0}function No(e,t,o){return this.constructor(e,o)}function ft(e,t,o){var a,n,r,s;t==document&&(t=document.documentElement),N.__&&N.__(e,t),n=(a=typeof o=="function")?null:o&&o.__k||t.__k,r=[],s=[],Be(t,e=(!a&&o||t).__k=Ve(Ee,null,[e]),n||we,we,t.namespaceURI,!a&&o?[o]:n?null:t.firstChild?Se.call(t.childNodes):null,r,!a&&o?o:n?n.__e:t.firstChild,a,s),dt(r,e,s),e.props.children=null}Se=xe.slice,N={__e:function(e,t,o,a){for(var n,r,s;t=t.__;)if((n=t.__c)&&!n.__)try{if((r=n.constructor)&&r.getDerivedStateFromError!=null&&(n.setState(r.getDerivedStateFromError(e)),s=n.__d),n.componentDidCatch!=null&&(n.componentDidCatch(e,a||{}),s=n.__d),s)return n.__E=n}catch(p){e=p}throw e}},rt=0,Co=function(e){return e!=null&&e.constructor===void 0},ke.prototype.setState=function(e,t){var o;o=this.__s!=null&&this.__s!=this.state?this.__s:this.__s=Q({},this.state),typeof e=="function"&&(e=e(Q({},o),this.props)),e&&Q(o,e),e!=null&&this.__v&&(t&&this._sb.push(t),tt(this))},ke.prototype.forceUpdate=function(e){this.__v&&(this.__e=!0,e&&this.__h.push(e),tt(this))},ke.prototype.render=Ee,oe=[],at=typeof Promise=="function"?Promise.prototype.then.bind(Promise.resolve()):setTimeout,st=function(e,t){return e.__v.__b-t.__v.__b},Ce.__r=0,Fe=Math.random().toString(8),he="__d"+Fe,pe="__a"+Fe,lt=/(PointerCapture)$|Capture$/i,qe=0,Ue=nt(!1),Le=nt(!0),So=0;var de,L,Oe,bt,$e=0,xt=[],M=N,gt=M.__b,_t=M.__r,vt=M.diffed,ht=M.__c,yt=M.unmount,kt=M.__;function Ge(e,t){M.__h&&M.__h(L,e,$e||t),$e=0;var o=L.__H||(L.__H={__:[],__h:[]});return e>=o.__.length&&o.__.push({}),o.__[e]}function m(e){return $e=1,Do(Et,e)}function Do(e,t,o){var a=Ge(de++,2);if(a.t=e,!a.__c&&(a.__=[o?o(t):Et(void 0,t),function(p){var l=a.__N?a.__N[0]:a.__[0],i=a.t(l,p);l!==i&&(a.__N=[i,a.__[1]],a.__c.setState({}))}],a.__c=L,!L.__f)){var n=function(p,l,i){if(!a.__c.__H)return!0;var d=!1,$=a.__c.props!==p;if(a.__c.__H.__.some(function(f){if(f.__N){d=!0;var b=f.__[0];f.__=f.__N,f.__N=void 0,b!==f.__[0]&&($=!0)}}),r){var u=r.call(this,p,l,i);return d?u||$:u}return!d||$};L.__f=!0;var r=L.shouldComponentUpdate,s=L.componentWillUpdate;L.componentWillUpdate=function(p,l,i){if(this.__e){var d=r;r=void 0,n(p,l,i),r=d}s&&s.call(this,p,l,i)},L.shouldComponentUpdate=n}return a.__N||a.__}function ne(e,t){var o=Ge(de++,3);!M.__s&&It(o.__H,t)&&(o.__=e,o.u=t,L.__H.__h.push(o))}function me(e){return $e=5,Ct(function(){return{current:e}},[])}function Ct(e,t){var o=Ge(de++,7);return It(o.__H,t)&&(o.__=e(),o.__H=t,o.__h=e),o.__}function St(e,t){return $e=8,Ct(function(){return e},t)}function Ro(){for(var e;e=xt.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(Ae),t.__h.some(He),t.__h=[]}catch(o){t.__h=[],M.__e(o,e.__v)}}}M.__b=function(e){L=null,gt&&gt(e)},M.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),kt&&kt(e,t)},M.__r=function(e){_t&&_t(e),de=0;var t=(L=e.__c).__H;t&&(Oe===L?(t.__h=[],L.__h=[],t.__.some(function(o){o.__N&&(o.__=o.__N),o.u=o.__N=void 0})):(t.__h.some(Ae),t.__h.some(He),t.__h=[],de=0)),Oe=L},M.diffed=function(e){vt&&vt(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&(xt.push(t)!==1&&bt===M.requestAnimationFrame||((bt=M.requestAnimationFrame)||To)(Ro)),t.__H.__.some(function(o){o.u&&(o.__H=o.u,o.u=void 0)})),Oe=L=null},M.__c=function(e,t){t.some(function(o){try{o.__h.some(Ae),o.__h=o.__h.filter(function(a){return!a.__||He(a)})}catch(a){t.some(function(n){n.__h&&(n.__h=[])}),t=[],M.__e(a,o.__v)}}),ht&&ht(e,t)},M.unmount=function(e){yt&&yt(e);var t,o=e.__c;o&&o.__H&&(o.__H.__.some(function(a){try{Ae(a)}catch(n){t=n}}),o.__H=void 0,t&&M.__e(t,o.__v))};var wt=typeof requestAnimationFrame=="function";function To(e){var t,o=function(){clearTimeout(a),wt&&cancelAnimationFrame(t),setTimeout(e)},a=setTimeout(o,35);wt&&(t=requestAnimationFrame(o))}function Ae(e){var t=L,o=e.__c;typeof o=="function"&&(e.__c=void 0,o()),L=t}function He(e){var t=L;e.__c=e.__(),L=t}function It(e,t){return!e||e.length!==t.length||t.some(function(o,a){return o!==e[a]})}function Et(e,t){return typeof t=="function"?t(e):t}var Fo="2.79",Ke="";function At(e){Ke=e||""}var ce=class extends Error{constructor(t,o){super(o),this.status=t}};function We(e,t){let o=null;try{o=JSON.parse(t)}catch{}if(o&&typeof o=="object"){if(typeof o.error=="string")return o.error;if(typeof o.message=="string")return o.message;for(let r of Object.values(o)){if(r&&typeof r=="object"&&typeof r.message=="string")return r.message;if(typeof r=="string"&&r)return r}}let a=String(t||"").replace(/<[^>]*>/g," ").split(`
`).map(r=>r.trim()).filter(Boolean),n=a.filter(r=>!/^\d{3} [A-Za-z ]+$/.test(r));return(n.length?n:a).join(" ")||`HTTP ${e}`}async function le(e,t,{body:o,headers:a={},raw:n=!1}={}){let r={Accept:"application/json",...a};e!=="GET"&&e!=="HEAD"&&(r["X-CSRF-Token"]=Ke),t.startsWith("/api/compute/")&&(r["X-OpenStack-Nova-API-Version"]=Fo);let s=o;o!==void 0&&!(typeof o=="string"||o instanceof Blob)&&(r["Content-Type"]=r["Content-Type"]||"application/json",s=JSON.stringify(o));let p=await fetch(t,{method:e,headers:r,body:s,credentials:"same-origin"});if(p.status===401&&!t.startsWith("/auth/")&&window.dispatchEvent(new CustomEvent("gostack:logged-out")),n){if(!p.ok)throw new ce(p.status,We(p.status,await p.text()));return p}let l=await p.text();if(!p.ok)throw new ce(p.status,We(p.status,l));if(!l)return null;try{return JSON.parse(l)}catch{return l}}var _=(e,t)=>le("GET",e,t),C=(e,t,o={})=>le("POST",e,{...o,body:t}),O=(e,t,o={})=>le("PUT",e,{...o,body:t}),Pe=(e,t,o={})=>le("PATCH",e,{...o,body:t}),A=(e,t)=>le("DELETE",e,t);function je(e,t,o,a,n){return new Promise((r,s)=>{let p=new XMLHttpRequest;p.open(e,t),p.setRequestHeader("X-CSRF-Token",Ke);for(let[l,i]of Object.entries(a||{}))p.setRequestHeader(l,i);p.upload.onprogress=l=>{l.lengthComputable&&n(l.loaded/l.total)},p.onload=()=>{p.status>=200&&p.status<300?(n(1),r(p.responseText)):s(new ce(p.status,We(p.status,p.responseText)))},p.onerror=()=>s(new ce(0,"The upload failed: the connection was lost.")),p.send(o)})}var jt=function(e,t,o,a){var n;t[0]=0;for(var r=1;r<t.length;r++){var s=t[r++],p=t[r]?(t[0]|=s?1:2,o[t[r++]]):t[++r];s===3?a[0]=p:s===4?a[1]=Object.assign(a[1]||{},p):s===5?(a[1]=a[1]||{})[t[++r]]=p:s===6?a[1][t[++r]]+=p+"":s?(n=e.apply(p,jt(e,p,o,["",null])),a.push(n),p[0]?t[0]|=2:(t[r-2]=0,t[r]=n)):a.push(p)}return a},Pt=new Map;function Nt(e){var t=Pt.get(this);return t||(t=new Map,Pt.set(this,t)),(t=jt(this,t.get(e)||(t.set(e,t=(function(o){for(var a,n,r=1,s="",p="",l=[0],i=function(u){r===1&&(u||(s=s.replace(/^\s*\n\s*|\s*\n\s*$/g,"")))?l.push(0,u,s):r===3&&(u||s)?(l.push(3,u,s),r=2):r===2&&s==="..."&&u?l.push(4,u,0):r===2&&s&&!u?l.push(5,0,!0,s):r>=5&&((s||!u&&r===5)&&(l.push(r,0,s,n),r=6),u&&(l.push(r,u,0,n),r=6)),s=""},d=0;d<o.length;d++){d&&(r===1&&i(),i(d));for(var $=0;$<o[d].length;$++)a=o[d][$],r===1?a==="<"?(i(),l=[l],r=3):s+=a:r===4?s==="--"&&a===">"?(r=1,s=""):s=a+s[0]:p?a===p?p="":s+=a:a==='"'||a==="'"?p=a:a===">"?(i(),r=1):r&&(a==="="?(r=5,n=s,s=""):a==="/"&&(r<5||o[d][$+1]===">")?(i(),r===3&&(l=l[0]),r=l,(l=l[0]).push(2,0,r),r=0):a===" "||a==="	"||a===`
`||a==="\r"?(i(),r=2):s+=a),r===3&&s==="!--"&&(r=4,l=l[0])}return i(),l})(e)),t),arguments,[])).length>1?t:t[0]}var c=Nt.bind(Ve);function x(e,t=[],o=0){let[a,n]=m({data:null,error:null,loading:!0}),r=me(0),s=St(async()=>{let p=++r.current;try{let l=await e();p===r.current&&n({data:l,error:null,loading:!1})}catch(l){p===r.current&&n(i=>({data:i.data,error:l,loading:!1}))}},t);return ne(()=>{if(s(),!o)return;let p=setInterval(s,o);return()=>clearInterval(p)},[s,o]),{...a,reload:s}}function H({error:e}){if(!e)return null;let t=e.status?c`<strong>${e.status}</strong> `:null;return c`<div class="error" role="alert">${t}${e.message}</div>`}function y({title:e,actions:t,error:o,children:a}){return ne(()=>{document.title=`${e} \xB7 gostack`},[e]),c`<section class="page" aria-labelledby="page-title">
    <header class="page-head">
      <h1 id="page-title" tabindex="-1">${e}</h1>
      <div class="actions">${t}</div>
    </header>
    <${H} error=${o} />
    ${a}
  </section>`}function S({rows:e,cols:t,empty:o="Nothing here yet.",label:a,rowId:n=r=>r.id}){return e?e.length?c`<div class="table-wrap"><table aria-label=${a}>
    <thead><tr>${t.map(r=>c`<th scope="col">${r.label}</th>`)}</tr></thead>
    <tbody>${e.map(r=>c`<tr key=${n(r)} data-id=${n(r)}>${t.map(s=>c`<td data-label=${s.label}>${s.get(r)}</td>`)}</tr>`)}</tbody>
  </table></div>`:c`<p class="muted">${o}</p>`:c`<p class="muted" aria-live="polite">Loading…</p>`}function re({title:e,onClose:t,children:o,wide:a}){let n=me(null);return ne(()=>{let r=n.current;r&&!r.open&&r.showModal();let s=r&&r.querySelector("input, select, textarea, button:not(.close)");s&&s.focus()},[]),c`<dialog ref=${n} class=${a?"modal wide":"modal"} aria-label=${e} onClose=${t} onCancel=${t}>
    <div class="modal-head"><h2>${e}</h2>
      <button type="button" class="close" aria-label="Close" onClick=${t}>×</button></div>
    ${o}
  </dialog>`}var Uo=0;function g({label:e,value:t,onInput:o,type:a="text",options:n,required:r,multiple:s,rows:p,hint:l,...i}){let[d]=m(()=>`f${++Uo}`),$;if(n)$=c`<select id=${d} required=${r} multiple=${s} ...${i}
      onChange=${u=>o(s?[...u.target.selectedOptions].map(f=>f.value):u.target.value)}>
      ${n.map(u=>c`<option value=${u.value} selected=${s?(t||[]).includes(u.value):u.value===t}>${u.label}</option>`)}
    </select>`;else if(a==="textarea")$=c`<textarea id=${d} rows=${p||4} required=${r} value=${t} ...${i}
      onInput=${u=>o(u.target.value)}></textarea>`;else{if(a==="checkbox")return c`<div class="field check"><input id=${d} type="checkbox" checked=${t} ...${i}
      onChange=${u=>o(u.target.checked)} /><label for=${d}>${e}</label></div>`;a==="file"?$=c`<input id=${d} type="file" required=${r} ...${i} onChange=${u=>o(u.target.files[0])} />`:$=c`<input id=${d} type=${a} required=${r} value=${t} ...${i}
      onInput=${u=>o(a==="number"?Number(u.target.value):u.target.value)} />`}return c`<div class="field"><label for=${d}>${e}</label>${$}${l?c`<small>${l}</small>`:null}</div>`}function Dt({onSubmit:e,submit:t="Save",children:o,onDone:a}){let[n,r]=m(!1),[s,p]=m(null);return c`<form onSubmit=${async i=>{i.preventDefault(),r(!0),p(null);try{await e(),a&&a()}catch(d){p(d)}finally{r(!1)}}} class="form">
    ${o}
    <${H} error=${s} />
    <div class="form-actions"><button type="submit" class="primary" disabled=${n}>${n?"Working\u2026":t}</button></div>
  </form>`}function h({title:e,onClose:t,onSubmit:o,submit:a,children:n,reload:r}){return c`<${re} title=${e} onClose=${t}>
    <${Dt} submit=${a||e} onSubmit=${o} onDone=${()=>{t(),r&&r()}}>${n}</${Dt}>
  </${re}>`}function I({label:e,run:t,onError:o,confirm:a,danger:n,reload:r,name:s}){let[p,l]=m(!1),i=async()=>{if(!(a&&!window.confirm(a))){l(!0);try{await t(),o&&o(null),r&&r()}catch(d){o&&o(d)}finally{l(!1)}}};return c`<button type="button" class=${n?"small danger":"small"} disabled=${p}
    aria-label=${s?`${e} ${s}`:void 0} onClick=${i}>${e}</button>`}function J({label:e,used:t,limit:o,unit:a=""}){let n=o===-1||o===void 0,r=n||!o?0:Math.min(100,Math.round(100*t/o)),s=`${t}${a} of ${n?"\u221E":`${o}${a}`}`;return c`<div class="usage">
    <div class="usage-label"><span>${e}</span><span>${s}</span></div>
    <div class="bar" role="progressbar" aria-label=${e} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${r}
      aria-valuetext=${s}><span class=${r>85?"hot":""} style=${`width:${r}%`}></span></div>
  </div>`}function D({value:e}){let t=String(e||"").toUpperCase(),o="st";return/ACTIVE|AVAILABLE|UP|IN-USE|ENABLED|TRUE/.test(t)?o+=" ok":/ERROR|DOWN|FAIL|DISABLED|KILLED/.test(t)?o+=" bad":/BUILD|ING|QUEUED|SAVING|PENDING|RESIZE|VERIFY/.test(t)&&(o+=" busy"),c`<span class=${o}>${e}</span>`}function q({href:e,children:t,...o}){return c`<a href=${e} onClick=${n=>{n.button||n.metaKey||n.ctrlKey||n.shiftKey||(n.preventDefault(),W(e))}} ...${o}>${t}</a>`}function W(e){e!==location.pathname+location.search&&(history.pushState(null,"",e),window.dispatchEvent(new Event("gostack:navigate")))}function ie(e){if(e==null)return"";let t=["B","KiB","MiB","GiB","TiB"],o=0,a=Number(e);for(;a>=1024&&o<t.length-1;)a/=1024,o++;return`${o?a.toFixed(1):a} ${t[o]}`}function R(e,t=a=>a.name||a.id,o=a=>a.id){return(e||[]).map(a=>({value:o(a),label:t(a)}))}function Rt({onLogin:e}){let[t,o]=m("Default"),[a,n]=m(""),[r,s]=m(""),[p,l]=m(null),[i,d]=m(!1),$=async u=>{u.preventDefault(),d(!0),l(null);try{e(await C("/auth/login",{domain:t,username:a,password:r}))}catch(f){l(f),d(!1)}};return document.title="Log in \xB7 gostack",c`<main class="login" id="main">
    <form class="card" onSubmit=${$}>
      <h1>gostack</h1>
      <p class="muted">Log in to your cloud.</p>
      <${g} label="Domain" value=${t} onInput=${o} required autocomplete="off" />
      <${g} label="User name" value=${a} onInput=${n} required autocomplete="username" />
      <${g} label="Password" type="password" value=${r} onInput=${s} required autocomplete="current-password" />
      <${H} error=${p} />
      <button type="submit" class="primary" disabled=${i}>${i?"Logging in\u2026":"Log in"}</button>
    </form>
  </main>`}function Xe({title:e,load:t,render:o}){let{data:a,error:n}=x(t);return c`<section class="card usage-card" aria-label=${e}>
    <h2>${e}</h2>
    <${H} error=${n} />
    ${a?o(a):n?null:c`<p class="muted">Loading…</p>`}
  </section>`}function Tt({session:e}){let t=o=>e.services.includes(o);return c`<${y} title="Overview">
    <div class="grid">
      ${t("compute")&&c`<${Xe} title="Compute" load=${()=>_("/api/compute/limits")} render=${o=>{let a=o.limits.absolute;return c`<${J} label="Instances" used=${a.totalInstancesUsed} limit=${a.maxTotalInstances} />
          <${J} label="VCPUs" used=${a.totalCoresUsed} limit=${a.maxTotalCores} />
          <${J} label="RAM" used=${a.totalRAMUsed} limit=${a.maxTotalRAMSize} unit=" MiB" />
          <${J} label="Server groups" used=${a.totalServerGroupsUsed||0} limit=${a.maxServerGroups} />`}} />`}
      ${t("network")&&c`<${Xe} title="Network"
        load=${()=>_(`/api/network/v2.0/quotas/${e.project.id}/details.json`)} render=${o=>{let a=o.quota,n=(r,s)=>a[r]&&c`<${J} label=${s} used=${a[r].used} limit=${a[r].limit} />`;return c`${n("network","Networks")}${n("subnet","Subnets")}${n("port","Ports")}
            ${n("router","Routers")}${n("floatingip","Floating IPs")}${n("security_group","Security groups")}`}} />`}
      ${(t("volumev3")||t("block-storage"))&&c`<${Xe} title="Volumes" load=${()=>_("/api/volumev3/limits")} render=${o=>{let a=o.limits.absolute;return c`<${J} label="Volumes" used=${a.totalVolumesUsed} limit=${a.maxTotalVolumes} />
          <${J} label="Volume storage" used=${a.totalGigabytesUsed} limit=${a.maxTotalVolumeGigabytes} unit=" GiB" />
          <${J} label="Volume snapshots" used=${a.totalSnapshotsUsed} limit=${a.maxTotalSnapshots} />`}} />`}
    </div>
  </${y}>`}var fe=[{key:"details",title:"Details",ok:e=>e.name.trim()!==""&&e.count>=1},{key:"source",title:"Source",ok:e=>(e.source==="image"?e.image:e.volume)!==""},{key:"flavor",title:"Flavor",ok:(e,t)=>e.flavor!==""&&!Lo(Ft(t.flavors.find(o=>o.id===e.flavor),e.count,t.limits))},{key:"networks",title:"Networks",ok:(e,t)=>e.networks.length>0||t.networks.length===0},{key:"secgroups",title:"Security groups"},{key:"keypair",title:"Key pair"},{key:"config",title:"Configuration"},{key:"servergroups",title:"Server groups"}];function Ft(e,t,o){if(!o)return[];let a=o.absolute,n=Math.max(1,Number(t)||1);return[["Instances",a.totalInstancesUsed,n,a.maxTotalInstances,""],["VCPUs",a.totalCoresUsed,e?e.vcpus*n:0,a.maxTotalCores,""],["RAM",a.totalRAMUsed,e?e.ram*n:0,a.maxTotalRAMSize," MiB"]]}var Ut=([,e,t,o])=>o!==-1&&e+t>o,Lo=e=>e.some(Ut);function qo({flavor:e,count:t,limits:o}){return o?c`<div class="table-wrap"><table aria-label="Quota use of this launch">
    <thead><tr><th scope="col">Resource</th><th scope="col">In use</th><th scope="col">This launch adds</th><th scope="col">Limit</th><th scope="col">After launch</th></tr></thead>
    <tbody>${Ft(e,t,o).map(a=>{let[n,r,s,p,l]=a,i=Ut(a);return c`<tr class=${i?"over":""}><th scope="row">${n}</th><td data-label="In use">${r}${l}</td>
        <td data-label="This launch adds">+${s}${l}</td>
        <td data-label="Limit">${p===-1?"unlimited":`${p}${l}`}</td>
        <td data-label="After launch">${r+s}${l}${i?c` <strong class="st bad">over quota</strong>`:""}</td></tr>`})}</tbody>
  </table></div>`:c`<p class="muted">Loading the project's quota…</p>`}function Lt({onClose:e,reload:t,session:o,preset:a={}}){let[n,r]=m({name:"",count:1,source:a.volume?"volume":"image",image:a.image||"",volume:a.volume||"",flavor:"",networks:[],groups:["default"],key:"",userData:"",serverGroup:""}),[s,p]=m(0),[l,i]=m(!1),[d,$]=m(null),u=me(null),f=w=>U=>r(B=>({...B,[w]:U})),b=w=>o.services.includes(w),k=x(async()=>{let[w,U,B,V,te,Te,ko,wo]=await Promise.all([_("/api/image/v2/images?status=active").then(T=>T.images),_("/api/compute/flavors/detail").then(T=>T.flavors),b("network")?_("/api/network/v2.0/networks").then(T=>T.networks):[],b("network")?_(`/api/network/v2.0/security-groups?project_id=${o.project.id}`).then(T=>T.security_groups):[],_("/api/compute/os-keypairs").then(T=>T.keypairs.map(xo=>xo.keypair)),b("volumev3")?_("/api/volumev3/volumes/detail?status=available").then(T=>T.volumes):[],_("/api/compute/os-server-groups").then(T=>T.server_groups),_("/api/compute/limits").then(T=>T.limits)]);return r(T=>({...T,image:T.image||w[0]&&w[0].id||"",volume:T.volume||Te[0]&&Te[0].id||"",flavor:T.flavor||U[0]&&U[0].id||"",networks:T.networks.length||B.length!==1?T.networks:[B[0].id]})),{images:w,flavors:U,networks:B,groups:V,keys:te,volumes:Te,serverGroups:ko,limits:wo}}),v=k.data||{images:[],flavors:[],networks:[],groups:[],keys:[],volumes:[],serverGroups:[],limits:null},P=w=>!w.ok||w.ok(n,v),E=k.data&&fe.every(P);ne(()=>{u.current&&u.current.focus()},[s]);let G=async w=>{if(w.preventDefault(),!E)return;let U={name:n.name.trim(),flavorRef:n.flavor,min_count:n.count,max_count:n.count,networks:n.networks.length?n.networks.map(V=>({uuid:V})):"none"};n.source==="image"?U.imageRef=n.image:U.block_device_mapping_v2=[{boot_index:0,uuid:n.volume,source_type:"volume",destination_type:"volume"}],n.groups.length&&v.networks.length&&(U.security_groups=n.groups.map(V=>({name:V}))),n.key&&(U.key_name=n.key),n.userData&&(U.user_data=btoa(unescape(encodeURIComponent(n.userData))));let B={server:U};n.serverGroup&&(B["os:scheduler_hints"]={group:n.serverGroup}),i(!0),$(null);try{await C("/api/compute/servers",B),e(),t&&t()}catch(V){$(V)}finally{i(!1)}},ee=fe[s],Y=v.flavors.find(w=>w.id===n.flavor),z;switch(ee.key){case"details":z=c`<${g} label="Instance name" value=${n.name} onInput=${f("name")} required />
        <${g} label="Count" type="number" min="1" value=${n.count} onInput=${f("count")} />`;break;case"source":z=c`<${g} label="Boot from" value=${n.source} onInput=${f("source")}
          options=${[{value:"image",label:"Image"},{value:"volume",label:"Volume"}]} />
        ${n.source==="image"?c`<${g} label="Image" value=${n.image} onInput=${f("image")} options=${R(v.images)} required />`:c`<${g} label="Volume" value=${n.volume} onInput=${f("volume")} required
              options=${R(v.volumes,w=>`${w.name||w.id} (${w.size} GiB)`)} />`}`;break;case"flavor":z=c`<${g} label="Flavor" value=${n.flavor} onInput=${f("flavor")} required
          options=${R(v.flavors,w=>`${w.name} (${w.vcpus} VCPU, ${w.ram} MiB, ${w.disk} GiB)`)} />
        <h4>What this launch uses of the project's quota</h4>
        <${qo} flavor=${Y} count=${n.count} limits=${v.limits} />`;break;case"networks":z=c`<${g} label="Networks" multiple value=${n.networks} onInput=${f("networks")} options=${R(v.networks)}
        hint="Hold Ctrl or Shift to choose several. The instance gets one port on each." />`;break;case"secgroups":z=c`<${g} label="Security groups" multiple value=${n.groups} onInput=${f("groups")}
        options=${R(v.groups,w=>w.name,w=>w.name)} hint="The rules of every chosen group apply to the instance's ports." />`;break;case"keypair":z=c`<${g} label="Key pair" value=${n.key} onInput=${f("key")}
        options=${[{value:"",label:"(none)"},...R(v.keys,w=>w.name,w=>w.name)]}
        hint="The public key is given to the instance through the metadata service." />`;break;case"config":z=c`<${g} label="User data" type="textarea" rows="8" value=${n.userData} onInput=${f("userData")}
        hint="A cloud-init script or cloud-config, sent base64-encoded." />`;break;default:z=c`<${g} label="Server group" value=${n.serverGroup} onInput=${f("serverGroup")}
        options=${[{value:"",label:"(none)"},...R(v.serverGroups,w=>`${w.name} (${w.policy||(w.policies||[]).join(", ")})`)]}
        hint="The scheduler places the instance by the group's policy." />`}return c`<${re} title="Launch instance" onClose=${e} wide>
    <form class="form wizard" onSubmit=${G}>
      <nav class="steps" aria-label="Launch steps"><ol>
        ${fe.map((w,U)=>{let B=w.ok&&!P(w);return c`<li class=${[U===s&&"current",B&&"need"].filter(Boolean).join(" ")}>
            <button type="button" aria-current=${U===s?"step":void 0} onClick=${()=>p(U)}>
              ${w.title}${w.ok&&c`<span aria-hidden="true">${B?" *":" \u2713"}</span>`}
              ${w.ok&&c`<span class="sr">${B?" (required, not filled)":" (filled)"}</span>`}
            </button></li>`})}
      </ol></nav>
      <div class="step">
        <h3 ref=${u} tabindex="-1" id="wizard-step">Step ${s+1} of ${fe.length}: ${ee.title}</h3>
        <${H} error=${k.error} />
        ${k.data?z:c`<p class="muted">Loading…</p>`}
        <${H} error=${d} />
        <div class="form-actions">
          <button type="button" disabled=${s===0} onClick=${()=>p(s-1)}>Back</button>
          <button type="button" disabled=${s===fe.length-1} onClick=${()=>p(s+1)}>Next</button>
          <button type="submit" class="primary" disabled=${!E||l}>${l?"Launching\u2026":"Launch"}</button>
        </div>
      </div>
    </form>
  </${re}>`}var Ne=(e,t)=>C(`/api/compute/servers/${e}/action`,t);function qt(e){return Object.entries(e.addresses||{}).map(([t,o])=>`${t}: ${o.map(a=>a.addr).join(", ")}`).join("; ")}function Mo({server:e,onClose:t,reload:o}){let[a,n]=m(""),s=(x(()=>_("/api/compute/flavors/detail").then(p=>p.flavors)).data||[]).filter(p=>p.name!==e.flavor.original_name);return c`<${h} title=${`Resize ${e.name}`} submit="Resize" onClose=${t} reload=${o}
    onSubmit=${()=>Ne(e.id,{resize:{flavorRef:a||s[0]&&s[0].id}})}>
    <${g} label="New flavor" value=${a} onInput=${n} options=${R(s)} required />
  </${h}>`}function Vo({server:e,onClose:t,reload:o}){let[a,n]=m(`${e.name}-snapshot`);return c`<${h} title=${`Snapshot ${e.name}`} submit="Create snapshot" onClose=${t} reload=${o}
    onSubmit=${()=>Ne(e.id,{createImage:{name:a}})}>
    <${g} label="Snapshot name" value=${a} onInput=${n} required />
  </${h}>`}function Bo({id:e}){let t=x(()=>Ne(e,{"os-getConsoleOutput":{length:200}}).then(o=>o.output),[e]);return c`<${H} error=${t.error} /><pre class="console-log" tabindex="0" aria-label="Console log">${t.data||""}</pre>
    <button type="button" class="small" onClick=${t.reload}>Refresh log</button>`}function Mt({s:e,reload:t,setError:o,setDialog:a}){let n=e.status,r=(s,p,l={})=>c`<${I} label=${s} name=${e.name} run=${()=>Ne(e.id,p)}
    reload=${t} onError=${o} ...${l} />`;return c`<div class="row-actions">
    ${n==="SHUTOFF"&&r("Start",{"os-start":null})}
    ${n==="ACTIVE"&&r("Stop",{"os-stop":null})}
    ${(n==="ACTIVE"||n==="SHUTOFF")&&r("Reboot",{reboot:{type:n==="ACTIVE"?"SOFT":"HARD"}})}
    ${n==="VERIFY_RESIZE"&&r("Confirm resize",{confirmResize:null})}
    ${n==="VERIFY_RESIZE"&&r("Revert resize",{revertResize:null})}
    ${(n==="ACTIVE"||n==="SHUTOFF")&&c`<button type="button" class="small" aria-label=${`Resize ${e.name}`}
      onClick=${()=>a({kind:"resize",s:e})}>Resize</button>`}
    ${(n==="ACTIVE"||n==="SHUTOFF")&&c`<button type="button" class="small" aria-label=${`Snapshot ${e.name}`}
      onClick=${()=>a({kind:"snapshot",s:e})}>Snapshot</button>`}
    <${q} class="button small" href=${`/project/instances/${e.id}`} aria-label=${`Console of ${e.name}`}>Console</${q}>
    <${I} label="Delete" name=${e.name} danger confirm=${`Delete instance ${e.name}?`} run=${()=>A(`/api/compute/servers/${e.id}`)}
      reload=${t} onError=${o} />
  </div>`}function Vt({dialog:e,setDialog:t,reload:o,session:a}){if(!e)return null;let n=()=>t(null);return e.kind==="launch"?c`<${Lt} onClose=${n} reload=${o} session=${a} preset=${e.preset} />`:e.kind==="resize"?c`<${Mo} server=${e.s} onClose=${n} reload=${o} />`:e.kind==="snapshot"?c`<${Vo} server=${e.s} onClose=${n} reload=${o} />`:null}function Bt({session:e}){let t=Object.fromEntries(new URLSearchParams(location.search)),[o,a]=m(t.launch?{kind:"launch",preset:t}:null),[n,r]=m(null),s=x(()=>_("/api/compute/servers/detail").then(l=>l.servers),[],3e3),p=[{label:"Name",get:l=>c`<${q} href=${`/project/instances/${l.id}`}>${l.name}</${q}>`},{label:"Status",get:l=>c`<${D} value=${l["OS-EXT-STS:task_state"]?`${l.status} (${l["OS-EXT-STS:task_state"]})`:l.status} />`},{label:"Flavor",get:l=>l.flavor&&l.flavor.original_name},{label:"Addresses",get:qt},{label:"Actions",get:l=>c`<${Mt} s=${l} reload=${s.reload} setError=${r} setDialog=${a} />`}];return c`<${y} title="Instances" error=${n||s.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>a({kind:"launch"})}>Launch instance</button>`}>
    <${S} label="Instances" rows=${s.data} cols=${p} empty="No instances. Launch one." />
    <${Vt} dialog=${o} setDialog=${a} reload=${s.reload} session=${e} />
  </${y}>`}function zt({params:e,session:t}){let[o,a]=m(null),[n,r]=m(null),s=x(()=>_(`/api/compute/servers/${e.id}`).then(i=>i.server),[e.id],3e3),p=x(()=>C(`/api/compute/servers/${e.id}/remote-consoles`,{remote_console:{protocol:"vnc",type:"novnc"}}).then(i=>i.remote_console.url),[e.id]),l=s.data;return c`<${y} title=${l?`Instance ${l.name}`:"Instance"} error=${o||s.error}
    actions=${l&&c`<${Mt} s=${l} reload=${()=>l.status?s.reload():W("/project/instances")}
      setError=${a} setDialog=${r} />`}>
    ${l&&c`<dl class="facts">
      <dt>ID</dt><dd>${l.id}</dd>
      <dt>Status</dt><dd><${D} value=${l.status} /></dd>
      <dt>Flavor</dt><dd>${l.flavor&&l.flavor.original_name}</dd>
      <dt>Addresses</dt><dd>${qt(l)||"\u2014"}</dd>
      <dt>Key pair</dt><dd>${l.key_name||"\u2014"}</dd>
      <dt>Created</dt><dd>${l.created}</dd>
    </dl>`}
    <h2>Console</h2>
    <${H} error=${p.error} />
    ${p.data&&c`<p><a href=${p.data} target="_blank" rel="noopener">Open the console in its own window</a></p>
      <iframe class="console" title="VNC console" src=${p.data}></iframe>`}
    <h2>Console log</h2>
    <${Bo} id=${e.id} />
    <${Vt} dialog=${n} setDialog=${r} reload=${s.reload} session=${t} />
  </${y}>`}var zo=["raw","qcow2","iso","vmdk","vdi","vhd","vhdx","ami","aki","ari"],Ot=["private","shared","community","public"];function Oo({onClose:e,reload:t}){let[o,a]=m({name:"",file:null,disk:"raw",visibility:"private"}),[n,r]=m(null),s=i=>d=>a($=>({...$,[i]:d})),p=async()=>{let i=await C("/api/image/v2/images",{name:o.name||o.file&&o.file.name,disk_format:o.disk,container_format:"bare",visibility:o.visibility});r(0);try{await je("PUT",`/api/image/v2/images/${i.id}/file`,o.file,{"Content-Type":"application/octet-stream"},r)}catch(d){throw await A(`/api/image/v2/images/${i.id}`).catch(()=>{}),d}},l=n===null?null:Math.round(n*100);return c`<${h} title="Upload image" submit="Upload" onClose=${e} reload=${t} onSubmit=${p}>
    <${g} label="Image name" value=${o.name} onInput=${s("name")} />
    <${g} label="Image file" type="file" onInput=${s("file")} required />
    <${g} label="Disk format" value=${o.disk} onInput=${s("disk")} options=${zo.map(i=>({value:i,label:i}))} />
    <${g} label="Visibility" value=${o.visibility} onInput=${s("visibility")} options=${Ot.map(i=>({value:i,label:i}))} />
    ${l!==null&&c`<div class="upload-progress">
      <progress id="upload-progress" max="100" value=${l} aria-label="Upload progress">${l}%</progress>
      <span aria-live="polite">${l}%</span></div>`}
  </${h}>`}function Ho({image:e,onClose:t,reload:o}){let[a,n]=m(e.name||""),[r,s]=m(e.visibility),p=()=>{let l=[];return a!==e.name&&l.push({op:e.name===null?"add":"replace",path:"/name",value:a}),r!==e.visibility&&l.push({op:"replace",path:"/visibility",value:r}),l.length?Pe(`/api/image/v2/images/${e.id}`,JSON.stringify(l),{headers:{"Content-Type":"application/openstack-images-v2.1-json-patch"}}):Promise.resolve()};return c`<${h} title=${`Edit image ${e.name||e.id}`} onClose=${t} reload=${o} onSubmit=${p}>
    <${g} label="Image name" value=${a} onInput=${n} />
    <${g} label="Visibility" value=${r} onInput=${s} options=${Ot.map(l=>({value:l,label:l}))} />
  </${h}>`}var Ye=[{key:"project",label:"Project",query:e=>`owner=${encodeURIComponent(e.project.id)}`},{key:"shared",label:"Shared with me",query:()=>"visibility=shared"},{key:"public",label:"Public",query:()=>"visibility=public"},{key:"community",label:"Community",query:()=>"visibility=community"}];function Ht({session:e}){let[t,o]=m(null),[a,n]=m(null),[r,s]=m("project"),p=Ye.find(u=>u.key===r).query(e),l=x(()=>_(`/api/image/v2/images?limit=1000&${p}`).then(u=>({q:p,images:u.images})),[p],5e3),i=l.data&&l.data.q===p?l.data.images:null,d=[{label:"Name",get:u=>u.name||u.id},{label:"Status",get:u=>c`<${D} value=${u.status} />`},{label:"Visibility",get:u=>u.visibility},{label:"Format",get:u=>u.disk_format},{label:"Size",get:u=>ie(u.size)},{label:"Actions",get:u=>c`<div class="row-actions">
        ${u.status==="active"&&c`<button type="button" class="small" aria-label=${`Launch from ${u.name}`}
          onClick=${()=>W(`/project/instances?launch=1&image=${u.id}`)}>Launch</button>`}
        <button type="button" class="small" aria-label=${`Edit ${u.name}`} onClick=${()=>o({kind:"edit",i:u})}>Edit</button>
        <${I} label="Delete" name=${u.name} danger confirm=${`Delete image ${u.name}?`} run=${()=>A(`/api/image/v2/images/${u.id}`)}
          reload=${l.reload} onError=${n} />
      </div>`}],$=()=>o(null);return c`<${y} title="Images" error=${a||l.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>o({kind:"upload"})}>Upload image</button>`}>
    <fieldset class="filter"><legend>Show</legend>
      ${Ye.map(u=>c`<label><input type="radio" name="image-filter" value=${u.key} checked=${r===u.key}
        onChange=${()=>s(u.key)} />${u.label}</label>`)}
    </fieldset>
    <div class="image-view" data-view=${r} data-ready=${i?"yes":"no"}>
      <${S} label="Images" rows=${i} cols=${d}
        empty=${`No ${Ye.find(u=>u.key===r).label.toLowerCase()} images.`} /></div>
    ${t&&t.kind==="upload"&&c`<${Oo} onClose=${$} reload=${l.reload} />`}
    ${t&&t.kind==="edit"&&c`<${Ho} image=${t.i} onClose=${$} reload=${l.reload} />`}
  </${y}>`}function Go({onClose:e,reload:t,onKey:o,imports:a}){let[n,r]=m(""),[s,p]=m("");return c`<${h} title=${a?"Import public key":"Create key pair"} submit=${a?"Import":"Create"}
    onClose=${e} reload=${t} onSubmit=${async()=>{let i={keypair:{name:n,type:"ssh"}};a&&(i.keypair.public_key=s.trim());let d=await C("/api/compute/os-keypairs",i);d.keypair.private_key&&o(d.keypair)}}>
    <${g} label="Key pair name" value=${n} onInput=${r} required />
    ${a&&c`<${g} label="Public key" type="textarea" value=${s} onInput=${p} required
      hint="One line in OpenSSH format, as in ~/.ssh/id_ed25519.pub." />`}
  </${h}>`}function Gt(){let[e,t]=m(!1),[o,a]=m(null),[n,r]=m(null),s=x(()=>_("/api/compute/os-keypairs").then(i=>i.keypairs.map(d=>d.keypair))),p=i=>{let d=document.createElement("a");d.href=URL.createObjectURL(new Blob([i.private_key],{type:"application/x-pem-file"})),d.download=`${i.name}.pem`,d.click()},l=[{label:"Name",get:i=>i.name},{label:"Type",get:i=>i.type},{label:"Fingerprint",get:i=>c`<code>${i.fingerprint}</code>`},{label:"Actions",get:i=>c`<${I} label="Delete" name=${i.name} danger confirm=${`Delete key pair ${i.name}?`}
      run=${()=>A(`/api/compute/os-keypairs/${encodeURIComponent(i.name)}`)} reload=${s.reload} onError=${r} />`}];return c`<${y} title="Key pairs" error=${n||s.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>t("create")}>Create key pair</button>
      <button type="button" onClick=${()=>t("import")}>Import public key</button>`}>
    <${S} label="Key pairs" rows=${s.data} cols=${l} rowId=${i=>i.name} empty="No key pairs." />
    ${e&&c`<${Go} key=${e} imports=${e==="import"} onClose=${()=>t(!1)} reload=${s.reload} onKey=${a} />`}
    ${o&&c`<${re} title=${`Private key of ${o.name}`} onClose=${()=>a(null)}>
      <p>This is the only time the private key is shown. Save it now.</p>
      <pre class="console-log" tabindex="0">${o.private_key}</pre>
      <button type="button" class="primary" onClick=${()=>p(o)}>Download ${o.name}.pem</button>
    </${re}>`}
  </${y}>`}var Wo=[{value:"affinity",label:"affinity (same host, or fail)"},{value:"anti-affinity",label:"anti-affinity (different hosts, or fail)"},{value:"soft-affinity",label:"soft-affinity (same host when possible)"},{value:"soft-anti-affinity",label:"soft-anti-affinity (different hosts when possible)"}];function Ko({onClose:e,reload:t}){let[o,a]=m(""),[n,r]=m("anti-affinity");return c`<${h} title="Create server group" submit="Create" onClose=${e} reload=${t}
    onSubmit=${()=>C("/api/compute/os-server-groups",{server_group:{name:o,policy:n}})}>
    <${g} label="Server group name" value=${o} onInput=${a} required />
    <${g} label="Policy" value=${n} onInput=${r} options=${Wo} />
  </${h}>`}function Wt(){let[e,t]=m(!1),[o,a]=m(null),n=x(async()=>{let[l,i]=await Promise.all([_("/api/compute/os-server-groups").then(d=>d.server_groups),_("/api/compute/servers/detail").then(d=>d.servers)]);return{groups:l,servers:i}},[],5e3),r=n.data&&n.data.servers||[],s=l=>{let i=r.find(d=>d.id===l);return c`<${q} href=${`/project/instances/${l}`}>${i?i.name:l}</${q}>`},p=[{label:"Name",get:l=>l.name},{label:"Policy",get:l=>l.policy||(l.policies||[]).join(", ")},{label:"Members",get:l=>l.members.length?c`<ul class="plain">${l.members.map(i=>c`<li>${s(i)}</li>`)}</ul>`:"\u2014"},{label:"Actions",get:l=>c`<${I} label="Delete" name=${l.name} danger confirm=${`Delete server group ${l.name}?`}
      run=${()=>A(`/api/compute/os-server-groups/${l.id}`)} reload=${n.reload} onError=${a} />`}];return c`<${y} title="Server groups" error=${o||n.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>t(!0)}>Create server group</button>`}>
    <${S} label="Server groups" rows=${n.data&&n.data.groups} cols=${p} empty="No server groups." />
    ${e&&c`<${Ko} onClose=${()=>t(!1)} reload=${n.reload} />`}
  </${y}>`}var K="/api/volumev3",Xo={"OpenStack-API-Version":"volume 3.42"},Kt=e=>e.status==="in-use";function Yo({onClose:e,reload:t}){let[o,a]=m({name:"",size:1,description:""}),n=r=>s=>a(p=>({...p,[r]:s}));return c`<${h} title="Create volume" submit="Create" onClose=${e} reload=${t}
    onSubmit=${()=>C(`${K}/volumes`,{volume:{name:o.name,size:o.size,description:o.description}})}>
    <${g} label="Volume name" value=${o.name} onInput=${n("name")} required />
    <${g} label="Size (GiB)" type="number" min="1" value=${o.size} onInput=${n("size")} required />
    <${g} label="Description" value=${o.description} onInput=${n("description")} />
  </${h}>`}function De({title:e,label:t,initial:o,type:a,submit:n,onClose:r,reload:s,opts:p}){let[l,i]=m(o);return c`<${h} title=${e} onClose=${r} reload=${s} onSubmit=${()=>n(l)} submit=${e.split(" ")[0]}>
    <${g} label=${t} type=${a} value=${l} onInput=${i} options=${p} required />
  </${h}>`}function Xt(){let[e,t]=m(null),[o,a]=m(null),n=x(async()=>{let[u,f,b,k]=await Promise.all([_(`${K}/volumes/detail`),_(`${K}/snapshots/detail`),_(`${K}/backups/detail`).catch(()=>({backups:[]})),_("/api/compute/servers/detail")]);return{vols:u.volumes,snaps:f.snapshots,backups:b.backups,servers:k.servers}},[],3e3),r=n.data||{vols:null,snaps:null,backups:null,servers:[]},s=u=>(r.servers.find(f=>f.id===u)||{name:u}).name,p=()=>t(null),l=(u,f,b,k={})=>c`<${I} label=${u} name=${f.name} run=${b} reload=${n.reload} onError=${a} ...${k} />`,i=(u,f)=>c`<button type="button" class="small" aria-label=${`${u} ${f.name}`} onClick=${()=>t({kind:u,vol:f})}>${u}</button>`,d=[{label:"Name",get:u=>u.name||u.id},{label:"Size",get:u=>`${u.size} GiB`},{label:"Status",get:u=>c`<${D} value=${u.status} />`},{label:"Attached to",get:u=>u.attachments.map(f=>`${s(f.server_id)} on ${f.device}`).join(", ")||"\u2014"},{label:"Actions",get:u=>c`<div class="row-actions">
        ${u.status==="available"&&i("Attach",u)}
        ${u.attachments.map(f=>l("Detach",u,()=>A(`/api/compute/servers/${f.server_id}/os-volume_attachments/${u.id}`)))}
        ${(u.status==="available"||Kt(u))&&i("Extend",u)}
        ${i("Snapshot",u)}
        ${i("Backup",u)}
        ${l("Delete",u,()=>A(`${K}/volumes/${u.id}`),{danger:!0,confirm:`Delete volume ${u.name}?`})}
      </div>`}],$=e;return c`<${y} title="Volumes" error=${o||n.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>t({kind:"create"})}>Create volume</button>`}>
    <${S} label="Volumes" rows=${r.vols} cols=${d} empty="No volumes." />
    <h2>Volume snapshots</h2>
    <${S} label="Volume snapshots" rows=${r.snaps} empty="No snapshots." cols=${[{label:"Name",get:u=>u.name||u.id},{label:"Size",get:u=>`${u.size} GiB`},{label:"Status",get:u=>c`<${D} value=${u.status} />`},{label:"Actions",get:u=>l("Delete",u,()=>A(`${K}/snapshots/${u.id}`),{danger:!0,confirm:`Delete snapshot ${u.name}?`})}]} />
    <h2>Volume backups</h2>
    <${S} label="Volume backups" rows=${r.backups} empty="No backups." cols=${[{label:"Name",get:u=>u.name||u.id},{label:"Size",get:u=>`${u.size} GiB`},{label:"Status",get:u=>c`<${D} value=${u.status} />`},{label:"Actions",get:u=>l("Delete",u,()=>A(`${K}/backups/${u.id}`),{danger:!0,confirm:`Delete backup ${u.name}?`})}]} />
    ${$&&$.kind==="create"&&c`<${Yo} onClose=${p} reload=${n.reload} />`}
    ${$&&$.kind==="Attach"&&c`<${De} title=${`Attach ${$.vol.name}`} label="Instance" initial=${(r.servers[0]||{}).id}
      opts=${R(r.servers)} onClose=${p} reload=${n.reload}
      submit=${u=>C(`/api/compute/servers/${u}/os-volume_attachments`,{volumeAttachment:{volumeId:$.vol.id}})} />`}
    ${$&&$.kind==="Extend"&&c`<${De} title=${`Extend ${$.vol.name}`} label="New size (GiB)" type="number" initial=${$.vol.size+1}
      onClose=${p} reload=${n.reload} submit=${u=>C(`${K}/volumes/${$.vol.id}/action`,{"os-extend":{new_size:u}},{headers:Xo})} />`}
    ${$&&$.kind==="Snapshot"&&c`<${De} title=${`Snapshot ${$.vol.name}`} label="Snapshot name" initial=${`${$.vol.name}-snap`}
      onClose=${p} reload=${n.reload} submit=${u=>C(`${K}/snapshots`,{snapshot:{volume_id:$.vol.id,name:u,force:!0}})} />`}
    ${$&&$.kind==="Backup"&&c`<${De} title=${`Backup ${$.vol.name}`} label="Backup name" initial=${`${$.vol.name}-backup`}
      onClose=${p} reload=${n.reload} submit=${u=>C(`${K}/backups`,{backup:{volume_id:$.vol.id,name:u,incremental:!1,force:Kt($.vol)}})} />`}
  </${y}>`}var X="/api/network/v2.0";function Yt({f:e,set:t}){return c`<${g} label="Subnet name" value=${e.subnetName} onInput=${t("subnetName")} />
    <${g} label="Network address (CIDR)" value=${e.cidr} onInput=${t("cidr")} placeholder="10.0.0.0/24" />
    <${g} label="IP version" value=${e.ipVersion} onInput=${t("ipVersion")} options=${[{value:"4",label:"IPv4"},{value:"6",label:"IPv6"}]} />
    <${g} label="Gateway IP (empty: the first address)" value=${e.gateway} onInput=${t("gateway")} />
    <${g} label="Enable DHCP" type="checkbox" value=${e.dhcp} onInput=${t("dhcp")} />`}var Qt=(e,t)=>{let o={network_id:e,name:t.subnetName,cidr:t.cidr,ip_version:Number(t.ipVersion),enable_dhcp:t.dhcp};return t.gateway&&(o.gateway_ip=t.gateway),{subnet:o}};function Qo({onClose:e,reload:t}){let[o,a]=m({name:"",shared:!1,subnetName:"",cidr:"",ipVersion:"4",gateway:"",dhcp:!0}),n=s=>p=>a(l=>({...l,[s]:p}));return c`<${h} title="Create network" onClose=${e} reload=${t} onSubmit=${async()=>{let s={network:{name:o.name,admin_state_up:!0}};o.shared&&(s.network.shared=!0);let p=(await C(`${X}/networks`,s)).network;o.cidr&&await C(`${X}/subnets`,Qt(p.id,o))}} submit="Create">
    <${g} label="Network name" value=${o.name} onInput=${n("name")} required />
    <${g} label="Shared" type="checkbox" value=${o.shared} onInput=${n("shared")} />
    <fieldset><legend>Subnet (optional)</legend><${Yt} f=${o} set=${n} /></fieldset>
  </${h}>`}function Jt(){let[e,t]=m(!1),[o,a]=m(null),n=x(async()=>{let[s,p]=await Promise.all([_(`${X}/networks`),_(`${X}/subnets`)]),l=Object.fromEntries(p.subnets.map(i=>[i.id,i]));return s.networks.map(i=>({...i,subnetList:i.subnets.map(d=>l[d]).filter(Boolean)}))}),r=[{label:"Name",get:s=>c`<${q} href=${`/project/networks/${s.id}`}>${s.name||s.id}</${q}>`},{label:"Subnets",get:s=>s.subnetList.map(p=>`${p.name||p.id} ${p.cidr}`).join(", ")},{label:"Shared",get:s=>s.shared?"Yes":"No"},{label:"External",get:s=>s["router:external"]?"Yes":"No"},{label:"Status",get:s=>c`<${D} value=${s.status} />`},{label:"Actions",get:s=>c`<${I} label="Delete" name=${s.name} danger confirm=${`Delete network ${s.name}?`}
      run=${()=>A(`${X}/networks/${s.id}`)} reload=${n.reload} onError=${a} />`}];return c`<${y} title="Networks" error=${o||n.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>t(!0)}>Create network</button>`}>
    <${S} label="Networks" rows=${n.data} cols=${r} empty="No networks." />
    ${e&&c`<${Qo} onClose=${()=>t(!1)} reload=${n.reload} />`}
  </${y}>`}function Jo({network:e,onClose:t,reload:o}){let[a,n]=m({subnetName:"",cidr:"",ipVersion:"4",gateway:"",dhcp:!0});return c`<${h} title="Create subnet" submit="Create" onClose=${t} reload=${o}
    onSubmit=${()=>C(`${X}/subnets`,Qt(e.id,a))}>
    <${Yt} f=${a} set=${s=>p=>n(l=>({...l,[s]:p}))} />
  </${h}>`}function Zt({params:e}){let[t,o]=m(!1),[a,n]=m(null),r=x(async()=>{let[p,l,i]=await Promise.all([_(`${X}/networks/${e.id}`),_(`${X}/subnets?network_id=${e.id}`),_(`${X}/ports?network_id=${e.id}`)]);return{net:p.network,subnets:l.subnets,ports:i.ports}},[e.id]),s=r.data;return c`<${y} title=${s?`Network ${s.net.name||s.net.id}`:"Network"} error=${a||r.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>o(!0)}>Create subnet</button>`}>
    <h2>Subnets</h2>
    <${S} label="Subnets" rows=${s&&s.subnets} empty="No subnets." cols=${[{label:"Name",get:p=>p.name||p.id},{label:"CIDR",get:p=>p.cidr},{label:"Gateway",get:p=>p.gateway_ip||"\u2014"},{label:"DHCP",get:p=>p.enable_dhcp?"Yes":"No"},{label:"Actions",get:p=>c`<${I} label="Delete" name=${p.name} danger confirm=${`Delete subnet ${p.name}?`}
        run=${()=>A(`${X}/subnets/${p.id}`)} reload=${r.reload} onError=${n} />`}]} />
    <h2>Ports</h2>
    <${S} label="Ports" rows=${s&&s.ports} empty="No ports." cols=${[{label:"Name",get:p=>p.name||p.id.slice(0,8)},{label:"Fixed IPs",get:p=>p.fixed_ips.map(l=>l.ip_address).join(", ")},{label:"MAC",get:p=>p.mac_address},{label:"Device owner",get:p=>p.device_owner||"\u2014"},{label:"Status",get:p=>c`<${D} value=${p.status} />`}]} />
    ${t&&s&&c`<${Jo} network=${s.net} onClose=${()=>o(!1)} reload=${r.reload} />`}
  </${y}>`}var ae="/api/network/v2.0";function Zo({onClose:e,reload:t,externals:o}){let[a,n]=m(""),[r,s]=m("");return c`<${h} title="Create router" submit="Create" onClose=${e} reload=${t} onSubmit=${()=>{let l={name:a,admin_state_up:!0};return r&&(l.external_gateway_info={network_id:r}),C(`${ae}/routers`,{router:l})}}>
    <${g} label="Router name" value=${a} onInput=${n} required />
    <${g} label="External network" value=${r} onInput=${s} options=${[{value:"",label:"(none)"},...R(o)]} />
  </${h}>`}function en({router:e,subnets:t,onClose:o,reload:a}){let[n,r]=m(t[0]&&t[0].id||"");return c`<${h} title=${`Add interface to ${e.name}`} submit="Add interface" onClose=${o} reload=${a}
    onSubmit=${()=>O(`${ae}/routers/${e.id}/add_router_interface`,{subnet_id:n})}>
    <${g} label="Subnet" value=${n} onInput=${r} required options=${R(t,s=>`${s.name||s.id} (${s.cidr})`)} />
  </${h}>`}function eo(){let[e,t]=m(null),[o,a]=m(null),n=x(async()=>{let[$,u,f,b]=await Promise.all([_(`${ae}/routers`),_(`${ae}/networks`),_(`${ae}/subnets`),_(`${ae}/ports?device_owner=network:router_interface`)]);return{routers:$.routers,networks:u.networks,subnets:f.subnets,ports:b.ports}}),r=n.data||{routers:null,networks:[],subnets:[],ports:[]},s=$=>{let u=r.subnets.find(f=>f.id===$);return u?`${u.name||u.id} (${u.cidr})`:$},p=$=>r.ports.filter(u=>u.device_id===$.id),l=$=>(r.networks.find(u=>u.id===$)||{name:$}).name,i=[{label:"Name",get:$=>$.name||$.id},{label:"Status",get:$=>c`<${D} value=${$.status} />`},{label:"External gateway",get:$=>$.external_gateway_info?l($.external_gateway_info.network_id):"\u2014"},{label:"Interfaces",get:$=>c`<ul class="plain">${p($).map(u=>u.fixed_ips.map(f=>c`<li>${s(f.subnet_id)}
        <${I} label="Remove" name=${`interface ${f.ip_address}`} danger run=${()=>O(`${ae}/routers/${$.id}/remove_router_interface`,{subnet_id:f.subnet_id})}
          reload=${n.reload} onError=${a} /></li>`))}</ul>`},{label:"Actions",get:$=>c`<div class="row-actions">
        <button type="button" class="small" aria-label=${`Add interface to ${$.name}`} onClick=${()=>t({kind:"iface",r:$})}>Add interface</button>
        <${I} label="Delete" name=${$.name} danger confirm=${`Delete router ${$.name}?`} run=${()=>A(`${ae}/routers/${$.id}`)}
          reload=${n.reload} onError=${a} /></div>`}],d=()=>t(null);return c`<${y} title="Routers" error=${o||n.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>t({kind:"create"})}>Create router</button>`}>
    <${S} label="Routers" rows=${r.routers} cols=${i} empty="No routers." />
    ${e&&e.kind==="create"&&c`<${Zo} onClose=${d} reload=${n.reload} externals=${r.networks.filter($=>$["router:external"])} />`}
    ${e&&e.kind==="iface"&&c`<${en} router=${e.r} subnets=${r.subnets} onClose=${d} reload=${n.reload} />`}
  </${y}>`}var Qe="/api/network/v2.0",to=150,oo=70,be=40;function tn(e,t){let o=Object.fromEntries(e.map((s,p)=>[s.id,90+p*to])),a=t.map((s,p)=>{let l=s.networks.map(d=>o[d]).filter(d=>d!==void 0),i=l.length?l.reduce((d,$)=>d+$,0)/l.length:90;return{...s,x:i,y:be+40+p*oo}}),n=be+80+t.length*oo,r=Math.max(400,160+e.length*to);return{col:o,nodes:a,height:n,width:r}}function no(){let e=x(async()=>{let[a,n,r,s]=await Promise.all([_(`${Qe}/networks`),_(`${Qe}/routers`),_(`${Qe}/ports`),_("/api/compute/servers/detail")]),p=i=>[...new Set(r.ports.filter(d=>d.device_id===i).map(d=>d.network_id))],l=[...n.routers.map(i=>({id:i.id,kind:"router",name:i.name||i.id.slice(0,8),href:"/project/routers",networks:[...new Set([...p(i.id),...i.external_gateway_info?[i.external_gateway_info.network_id]:[]])]})),...s.servers.map(i=>({id:i.id,kind:"instance",name:i.name,status:i.status,href:`/project/instances/${i.id}`,networks:p(i.id)}))];return{networks:a.networks,devices:l}},[],5e3),t=e.data,o=null;if(t){let{col:a,nodes:n,height:r,width:s}=tn(t.networks,t.devices),p=l=>i=>{i.preventDefault(),W(l)};o=c`<div class="topology-wrap"><svg class="topology" viewBox=${`0 0 ${s} ${r}`} width=${s} height=${r}
      role="group" aria-label=${`Topology: ${t.networks.length} networks, ${t.devices.length} routers and instances`}>
      ${n.map(l=>l.networks.filter(i=>a[i]!==void 0).map(i=>c`<line class="link" x1=${a[i]} y1=${l.y} x2=${l.x} y2=${l.y} />`))}
      ${t.networks.map(l=>c`<a href=${`/project/networks/${l.id}`} onClick=${p(`/project/networks/${l.id}`)} class="node network" data-kind="network" data-name=${l.name}>
        <title>Network ${l.name}</title>
        <rect x=${a[l.id]-8} y=${be} width="16" height=${r-be-10} rx="6" />
        <text x=${a[l.id]} y=${be-12} text-anchor="middle">${l.name||l.id.slice(0,8)}</text></a>`)}
      ${n.map(l=>c`<a href=${l.href} onClick=${p(l.href)} class=${`node ${l.kind}`} data-kind=${l.kind} data-name=${l.name}>
        <title>${l.kind==="router"?"Router":"Instance"} ${l.name}${l.status?` (${l.status})`:""}</title>
        <rect x=${l.x-55} y=${l.y-16} width="110" height="32" rx=${l.kind==="router"?16:4} />
        <text x=${l.x} y=${l.y+5} text-anchor="middle">${l.kind==="router"?"\u21C4 ":""}${l.name.length>14?`${l.name.slice(0,13)}\u2026`:l.name}</text></a>`)}
    </svg></div>`}return c`<${y} title="Network topology" error=${e.error}>
    <p class="muted">Networks are the vertical bars; routers (rounded) and instances are joined to the networks they have ports on. Select a node to open it.</p>
    ${t?o:c`<p class="muted">Loading…</p>`}
  </${y}>`}var ge="/api/network/v2.0";function on({onClose:e,reload:t}){let[o,a]=m(""),[n,r]=m("");return c`<${h} title="Create security group" submit="Create" onClose=${e} reload=${t}
    onSubmit=${()=>C(`${ge}/security-groups`,{security_group:{name:o,description:n}})}>
    <${g} label="Group name" value=${o} onInput=${a} required />
    <${g} label="Description" value=${n} onInput=${r} />
  </${h}>`}function nn({group:e,groups:t,onClose:o,reload:a}){let[n,r]=m({direction:"ingress",ethertype:"IPv4",protocol:"tcp",min:"",max:"",remote:"cidr",cidr:"0.0.0.0/0",rgroup:e.id}),s=i=>d=>r($=>({...$,[i]:d})),p=()=>{let i={security_group_id:e.id,direction:n.direction,ethertype:n.ethertype};return n.protocol!=="any"&&(i.protocol=n.protocol),n.min!==""&&(i.port_range_min=Number(n.min)),(n.max!==""||n.min!=="")&&(i.port_range_max=Number(n.max===""?n.min:n.max)),n.remote==="cidr"&&n.cidr&&(i.remote_ip_prefix=n.cidr),n.remote==="group"&&(i.remote_group_id=n.rgroup),C(`${ge}/security-group-rules`,{security_group_rule:i})},l=n.protocol==="tcp"||n.protocol==="udp";return c`<${h} title=${`Add rule to ${e.name}`} submit="Add rule" onClose=${o} reload=${a} onSubmit=${p}>
    <${g} label="Direction" value=${n.direction} onInput=${s("direction")} options=${[{value:"ingress",label:"Ingress"},{value:"egress",label:"Egress"}]} />
    <${g} label="Ether type" value=${n.ethertype} onInput=${s("ethertype")} options=${[{value:"IPv4",label:"IPv4"},{value:"IPv6",label:"IPv6"}]} />
    <${g} label="Protocol" value=${n.protocol} onInput=${s("protocol")} options=${["tcp","udp","icmp","any"].map(i=>({value:i,label:i}))} />
    ${l&&c`<${g} label="Port range from" type="number" min="1" max="65535" value=${n.min} onInput=${s("min")} />
      <${g} label="Port range to (empty: same)" type="number" min="1" max="65535" value=${n.max} onInput=${s("max")} />`}
    <${g} label="Remote" value=${n.remote} onInput=${s("remote")} options=${[{value:"cidr",label:"CIDR"},{value:"group",label:"Security group"}]} />
    ${n.remote==="cidr"?c`<${g} label="Remote CIDR" value=${n.cidr} onInput=${s("cidr")} />`:c`<${g} label="Remote security group" value=${n.rgroup} onInput=${s("rgroup")} options=${R(t)} />`}
  </${h}>`}var ro=e=>{let t=e.port_range_min===null||e.port_range_min===void 0?"any port":e.port_range_min===e.port_range_max?`port ${e.port_range_min}`:`ports ${e.port_range_min}\u2013${e.port_range_max}`;return`${e.direction} ${e.ethertype} ${e.protocol||"any"} ${t}`};function ao({session:e}){let[t,o]=m(null),[a,n]=m(null),r=x(()=>_(`${ge}/security-groups?project_id=${e.project.id}`).then(i=>i.security_groups)),s=r.data||[],p=i=>(s.find(d=>d.id===i)||{name:i}).name,l=()=>o(null);return c`<${y} title="Security groups" error=${a||r.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>o({kind:"create"})}>Create security group</button>`}>
    ${!r.data&&c`<p class="muted">Loading…</p>`}
    ${s.map(i=>c`<section class="card" aria-label=${`Security group ${i.name}`}>
      <div class="page-head"><h2>${i.name}</h2><div class="actions">
        <button type="button" class="small" aria-label=${`Add rule to ${i.name}`} onClick=${()=>o({kind:"rule",g:i})}>Add rule</button>
        <${I} label="Delete" name=${`group ${i.name}`} danger confirm=${`Delete security group ${i.name}?`}
          run=${()=>A(`${ge}/security-groups/${i.id}`)} reload=${r.reload} onError=${n} /></div></div>
      ${i.description&&c`<p class="muted">${i.description}</p>`}
      <${S} label=${`Rules of ${i.name}`} rows=${i.security_group_rules} empty="No rules." cols=${[{label:"Rule",get:ro},{label:"Remote",get:d=>d.remote_ip_prefix||(d.remote_group_id?`group ${p(d.remote_group_id)}`:"anywhere")},{label:"Actions",get:d=>c`<${I} label="Delete" name=${`rule ${ro(d)}`} danger run=${()=>A(`${ge}/security-group-rules/${d.id}`)}
          reload=${r.reload} onError=${n} />`}]} />
    </section>`)}
    ${t&&t.kind==="create"&&c`<${on} onClose=${l} reload=${r.reload} />`}
    ${t&&t.kind==="rule"&&c`<${nn} group=${t.g} groups=${s} onClose=${l} reload=${r.reload} />`}
  </${y}>`}var ue="/api/network/v2.0";function so(){let[e,t]=m(null),[o,a]=m(null),[n,r]=m(""),s=x(async()=>{let[b,k,v,P]=await Promise.all([_(`${ue}/floatingips`),_(`${ue}/networks?router:external=true`),_(`${ue}/ports?device_owner=compute:nova`),_("/api/compute/servers").then(E=>E.servers).catch(()=>[])]);return{fips:b.floatingips,externals:k.networks,ports:v.ports,servers:P}}),p=s.data||{fips:null,externals:[],ports:[],servers:[]},l=b=>(p.servers.find(k=>k.id===b)||{name:b.slice(0,8)}).name,i=b=>`${l(b.device_id)}: ${b.fixed_ips.map(k=>k.ip_address).join(", ")}`,d=b=>p.ports.find(k=>k.id===b),$=()=>t(null),u=b=>{r(""),t(b)},f=[{label:"Address",get:b=>b.floating_ip_address},{label:"Mapped fixed address",get:b=>b.fixed_ip_address||"\u2014"},{label:"Instance",get:b=>b.port_id&&d(b.port_id)?l(d(b.port_id).device_id):"\u2014"},{label:"Status",get:b=>c`<${D} value=${b.status} />`},{label:"Actions",get:b=>c`<div class="row-actions">
        ${b.port_id?c`<${I} label="Disassociate" name=${b.floating_ip_address} run=${()=>O(`${ue}/floatingips/${b.id}`,{floatingip:{port_id:null}})} reload=${s.reload} onError=${a} />`:c`<button type="button" class="small" aria-label=${`Associate ${b.floating_ip_address}`} onClick=${()=>u({kind:"assoc",f:b})}>Associate</button>`}
        <${I} label="Release" name=${b.floating_ip_address} danger confirm=${`Release ${b.floating_ip_address}?`}
          run=${()=>A(`${ue}/floatingips/${b.id}`)} reload=${s.reload} onError=${a} /></div>`}];return c`<${y} title="Floating IPs" error=${o||s.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>u({kind:"alloc"})}>Allocate IP</button>`}>
    <${S} label="Floating IPs" rows=${p.fips} cols=${f} empty="No floating IPs." />
    ${e&&e.kind==="alloc"&&c`<${h} title="Allocate floating IP" submit="Allocate" onClose=${$} reload=${s.reload}
      onSubmit=${()=>C(`${ue}/floatingips`,{floatingip:{floating_network_id:n||p.externals[0]&&p.externals[0].id}})}>
      <${g} label="Pool (external network)" value=${n} onInput=${r} options=${R(p.externals)} required />
    </${h}>`}
    ${e&&e.kind==="assoc"&&c`<${h} title=${`Associate ${e.f.floating_ip_address}`} submit="Associate" onClose=${$} reload=${s.reload}
      onSubmit=${()=>O(`${ue}/floatingips/${e.f.id}`,{floatingip:{port_id:n||p.ports[0]&&p.ports[0].id}})}>
      <${g} label="Instance port" value=${n} onInput=${r} options=${R(p.ports,i)} required />
    </${h}>`}
  </${y}>`}var _e="/api/object-store",Re=e=>e.split("/").map(encodeURIComponent).join("/"),lo=".r:*,.rlistings";function rn(){let[e,t]=m(!1),[o,a]=m(null),[n,r]=m(""),[s,p]=m(!1),l=x(()=>_(`${_e}?format=json`)),i=[{label:"Name",get:d=>c`<${q} href=${`/project/containers/${encodeURIComponent(d.name)}`}>${d.name}</${q}>`},{label:"Objects",get:d=>d.count},{label:"Size",get:d=>ie(d.bytes)},{label:"Actions",get:d=>c`<${I} label="Delete" name=${d.name} danger confirm=${`Delete container ${d.name}? It must be empty.`}
      run=${()=>A(`${_e}/${encodeURIComponent(d.name)}`)} reload=${l.reload} onError=${a} />`}];return c`<${y} title="Containers" error=${o||l.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>t(!0)}>Create container</button>`}>
    <${S} label="Containers" rows=${l.data} cols=${i} rowId=${d=>d.name} empty="No containers." />
    ${e&&c`<${h} title="Create container" submit="Create" onClose=${()=>t(!1)} reload=${l.reload}
      onSubmit=${()=>O(`${_e}/${encodeURIComponent(n)}`,"",{headers:s?{"X-Container-Read":lo}:{}})}>
      <${g} label="Container name" value=${n} onInput=${r} required />
      <${g} label="Public (anyone may read and list)" type="checkbox" value=${s} onInput=${p} />
    </${h}>`}
  </${y}>`}function an({container:e,prefix:t,onClose:o,reload:a}){let[n,r]=m(null),[s,p]=m(null);return c`<${h} title="Upload object" submit="Upload" onClose=${o} reload=${a} onSubmit=${()=>(p(0),je("PUT",`${_e}/${encodeURIComponent(e)}/${Re(t+n.name)}`,n,{"Content-Type":n.type||"application/octet-stream"},p))}>
    <${g} label="File" type="file" onInput=${r} required />
    ${s!==null&&c`<progress max="100" value=${Math.round(s*100)} aria-label="Upload progress"></progress>`}
  </${h}>`}function sn({container:e}){let t=new URLSearchParams(location.search).get("prefix")||"",[o,a]=m(null),[n,r]=m(null),[s,p]=m(""),l=`${_e}/${encodeURIComponent(e)}`,i=x(async()=>{let[v,P]=await Promise.all([_(`${l}?format=json&delimiter=/&prefix=${encodeURIComponent(t)}`),le("HEAD",l,{raw:!0})]);return{list:v,read:P.headers.get("X-Container-Read")||""}},[e,t]),d=i.data,$=d&&d.read.includes(".r:*"),u=v=>W(`/project/containers/${encodeURIComponent(e)}${v?`?prefix=${encodeURIComponent(v)}`:""}`),f=[{label:"Name",get:v=>v.subdir?c`<a href=${`?prefix=${encodeURIComponent(v.subdir)}`} onClick=${P=>{P.preventDefault(),u(v.subdir)}}>📁 ${v.subdir.slice(t.length)}</a>`:c`<a href=${`${l}/${Re(v.name)}`} download=${v.name.split("/").pop()}>${v.name.slice(t.length)}</a>`},{label:"Size",get:v=>v.subdir?"":ie(v.bytes)},{label:"Modified",get:v=>v.last_modified||""},{label:"Actions",get:v=>v.subdir?null:c`<${I} label="Delete" name=${v.name} danger confirm=${`Delete ${v.name}?`}
      run=${()=>A(`${l}/${Re(v.name)}`)} reload=${i.reload} onError=${r} />`}],b=t.split("/").filter(Boolean),k=()=>a(null);return c`<${y} title=${`Container ${e}`} error=${n||i.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>a("upload")}>Upload object</button>
      <button type="button" onClick=${()=>a("folder")}>Create folder</button>
      ${d&&c`<${I} label=${$?"Make private":"Make public"} reload=${i.reload} onError=${r}
        run=${()=>C(l,"",{headers:{"X-Container-Read":$?"":lo}})} />`}`}>
    <nav aria-label="Folder" class="crumbs"><${q} href="/project/containers">Containers</${q}> /
      <a href="?" onClick=${v=>{v.preventDefault(),u("")}}>${e}</a>
      ${b.map((v,P)=>c` / <a href="?" onClick=${E=>{E.preventDefault(),u(`${b.slice(0,P+1).join("/")}/`)}}>${v}</a>`)}
    </nav>
    ${$&&c`<p>Public: anyone can read this container's objects and list it.</p>`}
    <${S} label="Objects" rows=${d&&d.list} cols=${f} rowId=${v=>v.subdir||v.name} empty="This folder is empty." />
    ${o==="upload"&&c`<${an} container=${e} prefix=${t} onClose=${k} reload=${i.reload} />`}
    ${o==="folder"&&c`<${h} title="Create folder" submit="Create" onClose=${k} reload=${i.reload}
      onSubmit=${()=>O(`${l}/${Re(`${t}${s}/`)}`,"",{headers:{"Content-Type":"application/directory"}})}>
      <${g} label="Folder name" value=${s} onInput=${p} required />
    </${h}>`}
  </${y}>`}function Je({params:e}){return e.name?c`<${sn} container=${e.name} />`:c`<${rn} />`}function io(){let e=x(()=>_("/api/_endpoints")),t=(e.data||[]).filter(o=>o.interface==="public");return c`<${y} title="API access" error=${e.error}
    actions=${c`<a class="button" href="/auth/openrc" download>Download openrc</a>
      <a class="button" href="/auth/clouds.yaml" download>Download clouds.yaml</a>`}>
    <${S} label="Endpoints" rows=${e.data&&t} rowId=${o=>o.url+o.type} cols=${[{label:"Service",get:o=>o.type},{label:"Name",get:o=>o.name},{label:"Region",get:o=>o.region},{label:"URL",get:o=>c`<code>${o.url}</code>`}]} />
  </${y}>`}var F="/api/identity";function ln({project:e,onClose:t}){let[o,a]=m(null),n=x(async()=>{let[l,i,d]=await Promise.all([_(`/api/compute/os-quota-sets/${e.id}`),_(`/api/network/v2.0/quotas/${e.id}`),_(`/api/volumev3/os-quota-sets/${e.id}`).catch(()=>({quota_set:{}}))]),$={instances:l.quota_set.instances,cores:l.quota_set.cores,ram:l.quota_set.ram,networks:i.quota.network,ports:i.quota.port,floatingips:i.quota.floatingip,volumes:d.quota_set.volumes,gigabytes:d.quota_set.gigabytes};return a($),$}),r=l=>i=>a(d=>({...d,[l]:i})),s=async()=>{await O(`/api/compute/os-quota-sets/${e.id}`,{quota_set:{instances:o.instances,cores:o.cores,ram:o.ram}}),await O(`/api/network/v2.0/quotas/${e.id}`,{quota:{network:o.networks,port:o.ports,floatingip:o.floatingips}}),o.volumes!==void 0&&await O(`/api/volumev3/os-quota-sets/${e.id}`,{quota_set:{volumes:o.volumes,gigabytes:o.gigabytes}})},p={instances:"Instances",cores:"VCPUs",ram:"RAM (MiB)",networks:"Networks",ports:"Ports",floatingips:"Floating IPs",volumes:"Volumes",gigabytes:"Volume storage (GiB)"};return c`<${h} title=${`Quotas of ${e.name}`} onClose=${t} onSubmit=${s}>
    ${n.error&&c`<div class="error" role="alert">${n.error.message}</div>`}
    ${o&&Object.entries(p).filter(([l])=>o[l]!==void 0).map(([l,i])=>c`<${g} label=${i} type="number" min="-1" value=${o[l]} onInput=${r(l)} />`)}
  </${h}>`}function uo(){let[e,t]=m(null),[o,a]=m(null),[n,r]=m({name:"",description:""}),s=x(()=>_(`${F}/projects`).then(i=>i.projects)),p=()=>t(null),l=[{label:"Name",get:i=>i.name},{label:"Description",get:i=>i.description},{label:"Enabled",get:i=>i.enabled?"Yes":"No"},{label:"Actions",get:i=>c`<div class="row-actions">
      <button type="button" class="small" aria-label=${`Quotas of ${i.name}`} onClick=${()=>t({kind:"quota",p:i})}>Quotas</button>
      <${I} label=${i.enabled?"Disable":"Enable"} name=${i.name} run=${()=>Pe(`${F}/projects/${i.id}`,{project:{enabled:!i.enabled}})} reload=${s.reload} onError=${a} />
      <${I} label="Delete" name=${i.name} danger confirm=${`Delete project ${i.name}?`} run=${()=>A(`${F}/projects/${i.id}`)} reload=${s.reload} onError=${a} />
    </div>`}];return c`<${y} title="Projects" error=${o||s.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>t({kind:"create"})}>Create project</button>`}>
    <${S} label="Projects" rows=${s.data} cols=${l} />
    ${e&&e.kind==="create"&&c`<${h} title="Create project" submit="Create" onClose=${p} reload=${s.reload}
      onSubmit=${()=>C(`${F}/projects`,{project:{name:n.name,description:n.description,domain_id:"default",enabled:!0}})}>
      <${g} label="Project name" value=${n.name} onInput=${i=>r({...n,name:i})} required />
      <${g} label="Description" value=${n.description} onInput=${i=>r({...n,description:i})} />
    </${h}>`}
    ${e&&e.kind==="quota"&&c`<${ln} project=${e.p} onClose=${p} />`}
  </${y}>`}function un({user:e,onClose:t,reload:o}){let a=x(async()=>{let[d,$]=await Promise.all([_(`${F}/projects`),_(`${F}/roles`)]);return{projects:d.projects,roles:$.roles}}),[n,r]=m(""),[s,p]=m(""),l=a.data||{projects:[],roles:[]},i=l.roles.find(d=>d.name==="member")||l.roles[0];return c`<${h} title=${`Assign role to ${e.name}`} submit="Assign" onClose=${t} reload=${o}
    onSubmit=${()=>O(`${F}/projects/${n||l.projects[0].id}/users/${e.id}/roles/${s||i.id}`)}>
    <${g} label="Project" value=${n} onInput=${r} options=${R(l.projects)} required />
    <${g} label="Role" value=${s||i&&i.id} onInput=${p} options=${R(l.roles)} required />
  </${h}>`}function co(){let[e,t]=m(null),[o,a]=m(null),[n,r]=m({name:"",password:"",email:""}),s=x(async()=>{let[d,$]=await Promise.all([_(`${F}/users`),_(`${F}/role_assignments?include_names=true`)]);return d.users.map(u=>({...u,assignments:$.role_assignments.filter(f=>f.user&&f.user.id===u.id)}))}),p=()=>t(null),l=[{label:"Name",get:d=>d.name},{label:"Email",get:d=>d.email||""},{label:"Roles",get:d=>d.assignments.map($=>`${$.role.name} on ${$.scope.project?$.scope.project.name:$.scope.domain?`domain ${$.scope.domain.name}`:"system"}`).join(", ")},{label:"Enabled",get:d=>d.enabled?"Yes":"No"},{label:"Actions",get:d=>c`<div class="row-actions">
      <button type="button" class="small" aria-label=${`Assign role to ${d.name}`} onClick=${()=>t({kind:"assign",u:d})}>Assign role</button>
      <${I} label="Delete" name=${d.name} danger confirm=${`Delete user ${d.name}?`} run=${()=>A(`${F}/users/${d.id}`)} reload=${s.reload} onError=${a} />
    </div>`}],i=()=>{let d={name:n.name,password:n.password,domain_id:"default",enabled:!0};return n.email&&(d.email=n.email),C(`${F}/users`,{user:d})};return c`<${y} title="Users" error=${o||s.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>t({kind:"create"})}>Create user</button>`}>
    <${S} label="Users" rows=${s.data} cols=${l} />
    ${e&&e.kind==="create"&&c`<${h} title="Create user" submit="Create" onClose=${p} reload=${s.reload} onSubmit=${i}>
      <${g} label="User name" value=${n.name} onInput=${d=>r({...n,name:d})} required />
      <${g} label="Email" type="email" value=${n.email} onInput=${d=>r({...n,email:d})} />
      <${g} label="Password" type="password" value=${n.password} onInput=${d=>r({...n,password:d})} required autocomplete="new-password" />
    </${h}>`}
    ${e&&e.kind==="assign"&&c`<${un} user=${e.u} onClose=${p} reload=${s.reload} />`}
  </${y}>`}function po(){let[e,t]=m(null),[o,a]=m(null),[n,r]=m(""),[s,p]=m(""),l=x(async()=>{let[$,u]=await Promise.all([_(`${F}/groups`),_(`${F}/users`)]),f=await Promise.all($.groups.map(b=>_(`${F}/groups/${b.id}/users`).then(k=>k.users)));return{groups:$.groups.map((b,k)=>({...b,members:f[k]})),users:u.users}}),i=l.data||{groups:null,users:[]},d=()=>t(null);return c`<${y} title="Groups" error=${o||l.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>t({kind:"create"})}>Create group</button>`}>
    <${S} label="Groups" rows=${i.groups} empty="No groups." cols=${[{label:"Name",get:$=>$.name},{label:"Members",get:$=>c`<ul class="plain">${$.members.map(u=>c`<li>${u.name}
        <${I} label="Remove" name=${`${u.name} from ${$.name}`} danger run=${()=>A(`${F}/groups/${$.id}/users/${u.id}`)} reload=${l.reload} onError=${a} /></li>`)}</ul>`},{label:"Actions",get:$=>c`<div class="row-actions">
        <button type="button" class="small" aria-label=${`Add user to ${$.name}`} onClick=${()=>t({kind:"add",g:$})}>Add user</button>
        <${I} label="Delete" name=${$.name} danger confirm=${`Delete group ${$.name}?`} run=${()=>A(`${F}/groups/${$.id}`)} reload=${l.reload} onError=${a} /></div>`}]} />
    ${e&&e.kind==="create"&&c`<${h} title="Create group" submit="Create" onClose=${d} reload=${l.reload}
      onSubmit=${()=>C(`${F}/groups`,{group:{name:n,domain_id:"default"}})}>
      <${g} label="Group name" value=${n} onInput=${r} required />
    </${h}>`}
    ${e&&e.kind==="add"&&c`<${h} title=${`Add user to ${e.g.name}`} submit="Add" onClose=${d} reload=${l.reload}
      onSubmit=${()=>O(`${F}/groups/${e.g.id}/users/${s||i.users[0].id}`)}>
      <${g} label="User" value=${s} onInput=${p} options=${R(i.users)} required />
    </${h}>`}
  </${y}>`}function $o(){let[e,t]=m(!1),[o,a]=m(null),[n,r]=m(""),s=x(async()=>{let[d,$]=await Promise.all([_(`${F}/roles`),_(`${F}/role_assignments?include_names=true`)]);return{roles:d.roles,assignments:$.role_assignments}}),p=s.data||{roles:null,assignments:null},l=d=>d.user?`user ${d.user.name}`:d.group?`group ${d.group.name}`:"?",i=d=>d.scope.project?`project ${d.scope.project.name}`:d.scope.domain?`domain ${d.scope.domain.name}`:"system";return c`<${y} title="Roles" error=${o||s.error}
    actions=${c`<button type="button" class="primary" onClick=${()=>t(!0)}>Create role</button>`}>
    <${S} label="Roles" rows=${p.roles} cols=${[{label:"Name",get:d=>d.name},{label:"Actions",get:d=>c`<${I} label="Delete" name=${d.name} danger confirm=${`Delete role ${d.name}?`} run=${()=>A(`${F}/roles/${d.id}`)} reload=${s.reload} onError=${a} />`}]} />
    <h2>Role assignments</h2>
    <${S} label="Role assignments" rows=${p.assignments} rowId=${d=>`${l(d)}${d.role.id}${i(d)}`} cols=${[{label:"Who",get:l},{label:"Role",get:d=>d.role.name},{label:"Where",get:i}]} />
    ${e&&c`<${h} title="Create role" submit="Create" onClose=${()=>t(!1)} reload=${s.reload}
      onSubmit=${()=>C(`${F}/roles`,{role:{name:n}})}>
      <${g} label="Role name" value=${n} onInput=${r} required />
    </${h}>`}
  </${y}>`}function Z({title:e,load:t,cols:o,every:a=0,actions:n,children:r,rowId:s}){let p=x(t,[],a);return c`<${y} title=${e} error=${p.error} actions=${n&&n(p)}>
    ${!(p.error&&!p.data)&&c`<${S} label=${e} rows=${p.data} cols=${typeof o=="function"?o(p):o} rowId=${s} />`}
    ${r&&r(p)}
  </${y}>`}function mo(){return c`<${Z} title="Hypervisors" every=${5e3} load=${()=>_("/api/compute/os-hypervisors/detail").then(e=>e.hypervisors)} cols=${[{label:"Host",get:e=>e.hypervisor_hostname},{label:"Type",get:e=>e.hypervisor_type},{label:"State",get:e=>c`<${D} value=${e.state} />`},{label:"Status",get:e=>c`<${D} value=${e.status} />`},{label:"VCPUs (used / total)",get:e=>e.vcpus===void 0?"\u2014":`${e.vcpus_used} / ${e.vcpus}`},{label:"RAM (used / total)",get:e=>e.memory_mb===void 0?"\u2014":`${e.memory_mb_used} / ${e.memory_mb} MiB`},{label:"Instances",get:e=>e.running_vms===void 0?(e.servers||[]).length:e.running_vms}]} />`}function fo({session:e}){let t=x(()=>e.services.includes("network")?_("/api/network/v2.0/agents").then(o=>o.agents):Promise.resolve([]));return c`<${Z} title="System services" every=${5e3} load=${()=>_("/api/compute/os-services").then(o=>o.services)} cols=${[{label:"Service",get:o=>o.binary},{label:"Host",get:o=>o.host},{label:"Zone",get:o=>o.zone},{label:"Status",get:o=>c`<${D} value=${o.status} />`},{label:"State",get:o=>c`<${D} value=${o.state} />`},{label:"Updated",get:o=>o.updated_at}]}>${()=>c`<h2>Network agents</h2>
    ${t.error&&c`<div class="error" role="alert">${t.error.message}</div>`}
    <${S} label="Network agents" rows=${t.data} empty="No network agents." cols=${[{label:"Agent",get:o=>o.agent_type},{label:"Binary",get:o=>o.binary},{label:"Host",get:o=>o.host},{label:"Alive",get:o=>c`<${D} value=${o.alive?"UP":"DOWN"} />`},{label:"Admin state",get:o=>o.admin_state_up?"Up":"Down"}]} />`}</${Z}>`}function bo(){let[e,t]=m(null),[o,a]=m(!1),[n,r]=m({name:"",vcpus:1,ram:512,disk:1,public:!0}),s=p=>l=>r(i=>({...i,[p]:l}));return c`<${Z} title="Flavors" load=${()=>_("/api/compute/flavors/detail?is_public=None").then(p=>p.flavors)}
    actions=${()=>c`<button type="button" class="primary" onClick=${()=>a(!0)}>Create flavor</button>`}
    cols=${p=>[{label:"Name",get:l=>l.name},{label:"VCPUs",get:l=>l.vcpus},{label:"RAM",get:l=>`${l.ram} MiB`},{label:"Disk",get:l=>`${l.disk} GiB`},{label:"Public",get:l=>l["os-flavor-access:is_public"]?"Yes":"No"},{label:"Actions",get:l=>c`<${I} label="Delete" name=${l.name} danger confirm=${`Delete flavor ${l.name}?`}
        run=${()=>A(`/api/compute/flavors/${l.id}`)} reload=${p.reload} onError=${t} />`}]}>${p=>c`<${cn} error=${e} />
      ${o&&c`<${h} title="Create flavor" submit="Create" onClose=${()=>a(!1)} reload=${p.reload}
        onSubmit=${()=>C("/api/compute/flavors",{flavor:{name:n.name,vcpus:n.vcpus,ram:n.ram,disk:n.disk,"os-flavor-access:is_public":n.public}})}>
        <${g} label="Flavor name" value=${n.name} onInput=${s("name")} required />
        <${g} label="VCPUs" type="number" min="1" value=${n.vcpus} onInput=${s("vcpus")} />
        <${g} label="RAM (MiB)" type="number" min="1" value=${n.ram} onInput=${s("ram")} />
        <${g} label="Root disk (GiB)" type="number" min="0" value=${n.disk} onInput=${s("disk")} />
        <${g} label="Public" type="checkbox" value=${n.public} onInput=${s("public")} />
      </${h}>`}`}</${Z}>`}function cn({error:e}){return e?c`<div class="error" role="alert">${e.status?`${e.status} `:""}${e.message}</div>`:null}function go(){return c`<${Z} title="All instances" every=${3e3} load=${()=>_("/api/compute/servers/detail?all_tenants=1").then(e=>e.servers)} cols=${[{label:"Name",get:e=>e.name},{label:"Project",get:e=>e.tenant_id},{label:"Host",get:e=>e["OS-EXT-SRV-ATTR:host"]||"\u2014"},{label:"Status",get:e=>c`<${D} value=${e.status} />`},{label:"Flavor",get:e=>e.flavor&&e.flavor.original_name}]} />`}function _o(){return c`<${Z} title="All images" load=${()=>_("/api/image/v2/images?limit=1000&visibility=all").then(e=>e.images)} cols=${[{label:"Name",get:e=>e.name||e.id},{label:"Owner",get:e=>e.owner},{label:"Visibility",get:e=>e.visibility},{label:"Status",get:e=>c`<${D} value=${e.status} />`},{label:"Size",get:e=>ie(e.size)}]} />`}function vo(){return c`<${Z} title="All volumes" load=${()=>_("/api/volumev3/volumes/detail?all_tenants=1").then(e=>e.volumes)} cols=${[{label:"Name",get:e=>e.name||e.id},{label:"Project",get:e=>e["os-vol-tenant-attr:tenant_id"]||""},{label:"Size",get:e=>`${e.size} GiB`},{label:"Status",get:e=>c`<${D} value=${e.status} />`}]} />`}function ho(){return c`<${Z} title="All networks" load=${()=>_("/api/network/v2.0/networks").then(e=>e.networks)} cols=${[{label:"Name",get:e=>e.name},{label:"Project",get:e=>e.project_id},{label:"Shared",get:e=>e.shared?"Yes":"No"},{label:"External",get:e=>e["router:external"]?"Yes":"No"},{label:"Status",get:e=>c`<${D} value=${e.status} />`}]} />`}function j(e,t,o=e){let a=[],n=new RegExp(`^${e.replace(/:(\w+)/g,(r,s)=>(a.push(s),"([^/]+)"))}/?$`);return{page:t,nav:o,match:r=>n.test(r),params:r=>{let s=n.exec(r);return Object.fromEntries(a.map((p,l)=>[p,decodeURIComponent(s[l+1])]))}}}var Ze=[j("/project",Tt),j("/project/instances",Bt),j("/project/instances/:id",zt,"/project/instances"),j("/project/images",Ht),j("/project/keypairs",Gt),j("/project/server-groups",Wt),j("/project/volumes",Xt),j("/project/networks",Jt),j("/project/networks/:id",Zt,"/project/networks"),j("/project/routers",eo),j("/project/topology",no),j("/project/security-groups",ao),j("/project/floating-ips",so),j("/project/containers",Je),j("/project/containers/:name",Je,"/project/containers"),j("/project/api-access",io),j("/identity/projects",uo),j("/identity/users",co),j("/identity/groups",po),j("/identity/roles",$o),j("/admin/hypervisors",mo),j("/admin/services",fo),j("/admin/flavors",bo),j("/admin/instances",go),j("/admin/images",_o),j("/admin/volumes",vo),j("/admin/networks",ho)],yo=[{title:"Project",items:[["/project","Overview"],["/project/instances","Instances"],["/project/images","Images"],["/project/keypairs","Key pairs"],["/project/server-groups","Server groups"],["/project/volumes","Volumes"],["/project/topology","Network topology"],["/project/networks","Networks"],["/project/routers","Routers"],["/project/security-groups","Security groups"],["/project/floating-ips","Floating IPs"],["/project/containers","Object store"],["/project/api-access","API access"]]},{title:"Admin",admin:!0,items:[["/admin/hypervisors","Hypervisors"],["/admin/services","System services"],["/admin/flavors","Flavors"],["/admin/instances","All instances"],["/admin/images","All images"],["/admin/volumes","All volumes"],["/admin/networks","All networks"]]},{title:"Identity",admin:!0,items:[["/identity/projects","Projects"],["/identity/users","Users"],["/identity/groups","Groups"],["/identity/roles","Roles"]]}];function pn(){let[e,t]=m(void 0),[o,a]=m(location.pathname),[n,r]=m(!1),[s,p]=m(null),l=b=>{At(b&&b.csrf),t(b)};if(ne(()=>{_("/auth/session").then(l,()=>l(null));let b=()=>{a(location.pathname),r(!1),requestAnimationFrame(()=>{let v=document.getElementById("page-title");v&&v.focus({preventScroll:!0})})},k=()=>l(null);return window.addEventListener("popstate",b),window.addEventListener("gostack:navigate",b),window.addEventListener("gostack:logged-out",k),()=>{window.removeEventListener("popstate",b),window.removeEventListener("gostack:navigate",b),window.removeEventListener("gostack:logged-out",k)}},[]),e===void 0)return c`<main class="boot" aria-busy="true">Loading…</main>`;if(!e)return c`<${Rt} onLogin=${b=>{l(b),location.pathname==="/login"&&W("/project")}} />`;let i=async b=>{try{l(await C("/auth/project",{project_id:b})),p(null)}catch(k){p(k)}},d=async()=>{try{await C("/auth/logout")}finally{l(null),history.replaceState(null,"","/"),a("/")}},$=Ze.find(b=>b.match(o))||Ze[0],u=$.page,f=yo.filter(b=>!b.admin||e.is_admin);return c`<div class=${n?"app nav-open":"app"}>
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <button type="button" class="nav-toggle" aria-expanded=${n} aria-controls="nav"
        onClick=${()=>r(!n)}>☰<span class="sr">Menu</span></button>
      <${q} href="/project" class="brand">gostack</${q}>
      <label class="project-switch"><span class="sr">Current project</span>
        <select value=${e.project.id} onChange=${b=>i(b.target.value)}>
          ${e.projects.map(b=>c`<option value=${b.id} selected=${b.id===e.project.id}>${b.name}</option>`)}
        </select></label>
      <span class="who">${e.user.name}</span>
      <button type="button" class="small" onClick=${d}>Log out</button>
    </header>
    <nav id="nav" aria-label="Main">
      ${f.map(b=>c`<div class="nav-section"><h2>${b.title}</h2><ul>
        ${b.items.map(([k,v])=>c`<li><${q} href=${k} aria-current=${$.nav===k?"page":void 0}>${v}</${q}></li>`)}
      </ul></div>`)}
    </nav>
    <main id="main">
      <${H} error=${s} />
      <${u} key=${o+e.project.id} session=${e} params=${$.params(o)} />
    </main>
  </div>`}ft(c`<${pn} />`,document.getElementById("app"));
