// The drplan language: plans (runbooks) and modules (reusable templates).
// The parse tree is turned into drplan's own AST by compiler/parser.cc; nothing else sees it.
grammar Drplan;

file        : (planDecl | moduleDecl) EOF ;

planDecl    : PLAN name=IDENT '{' planItem* '}' ;
moduleDecl  : MODULE name=IDENT '{' moduleItem* '}' ;

planItem    : paramDecl | useDecl | templateDecl | defDecl | phase | step | setting ;
moduleItem  : useDecl | templateDecl | defDecl | setting ;


setting     : key=IDENT '=' expr ';'? ;
paramDecl   : PARAM name=IDENT ':' type=IDENT ('=' expr)? ';'? ;
useDecl     : USE modulePath (AS alias=IDENT)? ';'? ;
modulePath  : IDENT ('/' IDENT)* ;

templateDecl: TEMPLATE name=IDENT '(' paramList? ')' block ;
defDecl     : DEF name=IDENT '(' paramList? ')' '=' expr ';'? ;
paramList   : typedParam (',' typedParam)* ','? ;
typedParam  : name=IDENT ':' type=IDENT ('=' expr)? ;

phase       : PHASE title=STRING '{' step* '}' ;

// The header clauses may come in any order: `on h after a` or `after a on h`.
step        : kind=(CHECK | ACTION | GATE | WAIT) name=IDENT stepClause* ('=' call)? block? ';'? ;
stepClause  : target | afterClause | whenClause ;
target      : ON path ;
afterClause : AFTER IDENT (',' IDENT)* ;
whenClause  : WHEN expr ;
block       : '{' attr* '}' ;
// '=' and the value are optional here only so that a missing one is reported precisely (by
// the AST builder) and parsing goes on with the next attribute.
attr        : key=IDENT eq='='? value=expr? (';' | ',')? ;

expr        : op=('!' | NOT) expr                                  # notExpr
            | expr op=('==' | '!=' | '<' | '<=' | '>' | '>=') expr # compareExpr
            | expr op=('&&' | AND) expr                            # andExpr
            | expr op=('||' | OR) expr                             # orExpr
            | expr '+' expr                                        # concatExpr
            | NONE reason=STRING?                                  # noneExpr
            | call                                                 # callExpr
            | path                                                 # pathExpr
            | '[' (expr (',' expr)* ','?)? ']'                     # listExpr
            | '(' expr ')'                                         # parenExpr
            | literal                                              # literalExpr
            ;
call        : path '(' (arg (',' arg)* ','?)? ')' ;
arg         : (name=IDENT ':')? expr ;
path        : IDENT ('.' IDENT)* ;
literal     : STRING | TSTRING | QUANTITY | NUMBER | TRUE | FALSE ;

PLAN     : 'plan' ;
MODULE   : 'module' ;
PARAM    : 'param' ;
USE      : 'use' ;
AS       : 'as' ;
TEMPLATE : 'template' ;
DEF      : 'def' ;
PHASE    : 'phase' ;
CHECK    : 'check' ;
ACTION   : 'action' ;
GATE     : 'gate' ;
WAIT     : 'wait' ;
ON       : 'on' ;
AFTER    : 'after' ;
WHEN     : 'when' ;
NONE     : 'none' ;
NOT      : 'not' ;
AND      : 'and' ;
OR       : 'or' ;
TRUE     : 'true' ;
FALSE    : 'false' ;

IDENT    : [a-zA-Z_] [a-zA-Z_0-9-]* [a-zA-Z_0-9]? ;
QUANTITY : [0-9]+ ('.' [0-9]+)? [a-zA-Z%]+ ;
NUMBER   : [0-9]+ ('.' [0-9]+)? ;
TSTRING  : '"""' .*? '"""' ;
STRING   : '"' (~["\\\r\n] | '\\' .)* '"' ;
// An unterminated string is its own token so the error can say so.
OPEN_STRING : '"' (~["\\\r\n] | '\\' .)* ;

LINE_COMMENT  : ('#' | '//') ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n]+ -> skip ;
// Anything else becomes one token so the parser, not the lexer, reports it (once, located).
UNKNOWN  : . ;
